use super::*;

fn figure_for(id: PhotoId) -> Figure {
    Figure {
        src: format!("/media/{id}/960.jpg"),
        srcset: format!("/media/{id}/480.jpg 480w, /media/{id}/960.jpg 960w"),
        sizes: "(min-width: 42rem) 40rem, calc(100vw - 2rem)",
        width: 960,
        height: 640,
        alt: "Library alt".into(),
        caption: "The envoy <arrives>".into(),
        credit: "Xinhua/Li An".into(),
    }
}

fn site(page: &str) -> String {
    let figure = |id| Some(figure_for(id));
    render(
        page,
        &Rendering {
            own_host: "news.example",
            figure: &figure,
        },
    )
    .to_string()
}

#[test]
fn a_library_photo_on_its_own_line_is_a_figure_with_renditions_and_caption() {
    let id = PhotoId::new();
    let html = site(&format!("Before.\n![The envoy](photo:{id})\nAfter."));
    assert!(html.contains("<p>Before.</p>"), "{html}");
    assert!(
        html.contains(r#"<figure class="inline-photo"><img src="/media/"#),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"srcset="/media/{id}/480.jpg 480w"#)),
        "{html}"
    );
    assert!(html.contains(r#"sizes="(min-width: 42rem) 40rem, calc(100vw - 2rem)""#));
    assert!(html.contains(r#"width="960" height="640" alt="The envoy" loading="lazy""#));
    assert!(html.contains(
        r#"<figcaption>The envoy &lt;arrives&gt; <span class="credit">(Xinhua/Li An)</span></figcaption>"#
    ), "{html}");
    assert!(html.ends_with("<p>After.</p>\n"), "{html}");
    assert_eq!(
        photos_of(&format!("![x](photo:{id})\n\n![y](photo:{id})")),
        vec![id]
    );
}

#[test]
fn a_photo_without_alt_text_takes_the_library_s_and_a_missing_photo_is_left_out() {
    let id = PhotoId::new();
    assert!(site(&format!("![](photo:{id})")).contains(r#"alt="Library alt""#));
    let html = render(
        &format!("A.\n\n![x](photo:{id})\n\nB."),
        &Rendering::plain(),
    )
    .to_string();
    assert_eq!(html, "<p>A.</p>\n<p>B.</p>\n");
}

#[test]
fn a_photo_line_inside_fenced_code_is_code() {
    let id = PhotoId::new();
    let html = site(&format!("```\n![x](photo:{id})\n```"));
    assert!(html.contains("<pre><code>![x](photo:"), "{html}");
    assert!(!html.contains("<figure"));
}

#[test]
fn a_table_has_a_head_with_column_headers_in_a_scrolling_wrapper() {
    let html = site("| Team | Points |\n|:-----|------:|\n| Reds | 3 |");
    assert!(
        html.contains(
            r#"<div class="table-scroll" role="region" tabindex="0" aria-label="Table"><table>"#
        ),
        "{html}"
    );
    assert!(html.contains("<thead>"), "{html}");
    assert!(
        html.contains(r#"<th scope="col" style="text-align: left">Team</th>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<td style="text-align: right">3</td>"#),
        "{html}"
    );
    assert!(html.contains("</table>\n</div>"), "{html}");
}

#[test]
fn bare_addresses_in_text_are_links_but_not_in_code() {
    let html = site(
        "See https://example.org/report_2024.pdf, or (http://example.org/a_(b)).\n\n`https://in.code/` and\n\n    https://indented.code/",
    );
    assert!(html.contains(r#"See <a href="https://example.org/report_2024.pdf" rel="noopener noreferrer nofollow">https://example.org/report_2024.pdf</a>, or"#), "{html}");
    assert!(
        html.contains(r#">http://example.org/a_(b)</a>)."#),
        "{html}"
    );
    assert!(html.contains("<code>https://in.code/</code>"), "{html}");
    assert!(!html.contains(r#"href="https://indented"#), "{html}");
    assert!(!site("xhttps://no.link").contains("<a"));
}

#[test]
fn the_newsroom_s_own_links_carry_no_nofollow() {
    let html = site(
        "[ours](https://news.example/2024/01/01/a) [www](https://www.news.example/x) [rel](/2024/01/01/b) [theirs](https://other.example/)",
    );
    assert!(
        html.contains(r#"<a href="https://news.example/2024/01/01/a">ours</a>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="https://www.news.example/x">www</a>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="/2024/01/01/b">rel</a>"#),
        "{html}"
    );
    assert!(
        html.contains(
            r#"<a href="https://other.example/" rel="noopener noreferrer nofollow">theirs</a>"#
        ),
        "{html}"
    );
    assert!(!site("[x](https://news.example.evil/)").contains(r#"evil/">"#));
}

#[test]
fn a_known_site_s_post_on_its_own_line_is_a_card_that_links_out() {
    let html =
        site("Watch:\n\nhttps://www.youtube.com/watch?v=abc&t=1\n\nhttps://example.org/not-a-post");
    assert!(html.contains(r#"<div class="embed"><p class="embed-provider">YouTube</p><p class="embed-address">www.youtube.com/watch?v=abc&amp;t=1</p><p><a href="https://www.youtube.com/watch?v=abc&amp;t=1" rel="noopener noreferrer nofollow">Watch on YouTube</a></p></div>"#), "{html}");
    assert!(!html.contains("iframe") && !html.contains("script"));
    assert!(
        html.contains(r#"<p><a href="https://example.org/not-a-post""#),
        "{html}"
    );
}

#[test]
fn an_image_from_elsewhere_is_a_link_not_a_picture() {
    let html = site("![A chart](https://example.org/c.png) and ![](https://example.org/d.png)");
    assert!(!html.contains("<img"), "{html}");
    assert!(
        html.contains(
            r#"<a href="https://example.org/c.png" rel="noopener noreferrer nofollow">A chart</a>"#
        ),
        "{html}"
    );
    assert!(html.contains(">https://example.org/d.png</a>"), "{html}");
}

#[test]
fn a_library_photo_within_a_line_is_left_out() {
    let id = PhotoId::new();
    let html = site(&format!("Words ![x](photo:{id}) more."));
    assert_eq!(html, "<p>Words  more.</p>\n");
}

#[test]
fn dangerous_links_lose_their_address() {
    let html = site("[a](javascript:alert(1)) javascript:alert(2)");
    assert!(!html.contains("javascript:alert(1)"), "{html}");
}
