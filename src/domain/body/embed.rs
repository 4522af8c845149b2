//! Posts and videos of other sites, named by their address on a line of its own. A reader gets
//! a card that names the site and links out: no frame, no script and no request to the other
//! site, so a page never tells a platform who reads it, and nothing is fetched when a story is
//! saved. The table below is the whole of what is recognised; any other address is a link.

/// A site whose posts a body may point at with a card.
struct Provider {
    /// Hosts, each matching itself and its subdomains (`m.youtube.com`).
    hosts: &'static [&'static str],
    name: &'static str,
    /// What the card's link does, as its text.
    action: &'static str,
}

const PROVIDERS: &[Provider] = &[
    Provider {
        hosts: &["youtube.com", "youtu.be", "youtube-nocookie.com"],
        name: "YouTube",
        action: "Watch on YouTube",
    },
    Provider {
        hosts: &["vimeo.com"],
        name: "Vimeo",
        action: "Watch on Vimeo",
    },
    Provider {
        hosts: &["x.com", "twitter.com"],
        name: "X (Twitter)",
        action: "View the post on X",
    },
    Provider {
        hosts: &["instagram.com"],
        name: "Instagram",
        action: "View the post on Instagram",
    },
    Provider {
        hosts: &["facebook.com", "fb.watch"],
        name: "Facebook",
        action: "View the post on Facebook",
    },
    Provider {
        hosts: &["tiktok.com"],
        name: "TikTok",
        action: "Watch on TikTok",
    },
    Provider {
        hosts: &["bsky.app"],
        name: "Bluesky",
        action: "View the post on Bluesky",
    },
];

/// Mastodon and the servers that speak like it live on any host; their posts are
/// `https://host/@name/123456`.
const FEDIVERSE: Provider = Provider {
    hosts: &[],
    name: "Mastodon",
    action: "View the post on Mastodon",
};

/// The card for an address of a known site's post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    pub url: String,
    pub provider: &'static str,
    pub action: &'static str,
    /// The address as shown: without its scheme.
    pub shown: String,
}

/// The card a line stands for, if it holds only the address of a post on a known site
/// (`<address>` too, as Markdown writes an autolink).
pub fn embed_of(line: &str) -> Option<Embed> {
    let line = line.trim();
    let url = line
        .strip_prefix('<')
        .and_then(|l| l.strip_suffix('>'))
        .unwrap_or(line);
    if url.is_empty() || url.contains(char::is_whitespace) || url.len() > 2048 {
        return None;
    }
    let (host, path) = host_and_path(url)?;
    // A site's home page is not a post.
    if path.trim_matches('/').is_empty() {
        return None;
    }
    let provider = PROVIDERS
        .iter()
        .find(|p| p.hosts.iter().any(|h| host_is(&host, h)))
        .or_else(|| is_fediverse_post(path).then_some(&FEDIVERSE))?;
    Some(Embed {
        url: url.to_owned(),
        provider: provider.name,
        action: provider.action,
        shown: url
            .split_once("://")
            .map_or(url, |(_, rest)| rest)
            .to_owned(),
    })
}

/// The lower-cased host and the rest of an `http`/`https` address, if it is one.
pub fn host_and_path(url: &str) -> Option<(String, &str)> {
    let rest = strip_scheme(url)?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    // Credentials in an address are a disguise (`https://youtube.com@elsewhere/`).
    if authority.contains('@') || authority.is_empty() {
        return None;
    }
    let host = authority
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(authority, |(host, _)| host);
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    valid.then(|| (host.to_ascii_lowercase(), path))
}

fn strip_scheme(url: &str) -> Option<&str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if lower.starts_with("https://") {
        Some(&url[8..])
    } else if lower.starts_with("http://") {
        Some(&url[7..])
    } else {
        None
    }
}

/// `host` is `domain` or one of its subdomains.
pub fn host_is(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|sub| sub.ends_with('.'))
}

/// `/@name/123456`, as Mastodon addresses a post.
fn is_fediverse_post(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut parts = path.trim_start_matches('/').split('/');
    let (Some(user), Some(id)) = (parts.next(), parts.next()) else {
        return false;
    };
    user.len() > 1
        && user.starts_with('@')
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
        && parts.all(str::is_empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_sites_are_recognised_by_host() {
        let yt = embed_of("https://www.youtube.com/watch?v=dQw4w9WgXcQ").unwrap();
        assert_eq!(yt.provider, "YouTube");
        assert_eq!(yt.shown, "www.youtube.com/watch?v=dQw4w9WgXcQ");
        assert_eq!(
            embed_of(" <https://youtu.be/abc> ").unwrap().provider,
            "YouTube"
        );
        assert_eq!(embed_of("https://vimeo.com/123").unwrap().provider, "Vimeo");
        assert_eq!(
            embed_of("https://twitter.com/a/status/1").unwrap().provider,
            "X (Twitter)"
        );
        assert_eq!(
            embed_of("https://x.com/a/status/1").unwrap().provider,
            "X (Twitter)"
        );
        assert_eq!(
            embed_of("https://www.instagram.com/p/x/").unwrap().provider,
            "Instagram"
        );
        assert_eq!(
            embed_of("https://www.facebook.com/a/posts/1")
                .unwrap()
                .provider,
            "Facebook"
        );
        assert_eq!(
            embed_of("https://www.tiktok.com/@a/video/1")
                .unwrap()
                .provider,
            "TikTok"
        );
        assert_eq!(
            embed_of("https://bsky.app/profile/a/post/1")
                .unwrap()
                .provider,
            "Bluesky"
        );
        assert_eq!(
            embed_of("https://social.example/@reporter/1234567")
                .unwrap()
                .provider,
            "Mastodon"
        );
    }

    #[test]
    fn other_addresses_and_lookalikes_are_not_embeds() {
        for line in [
            "https://example.org/video",
            "https://notyoutube.com/watch?v=1",
            "https://youtube.com@evil.example/watch",
            "https://www.youtube.com/",
            "see https://youtu.be/abc",
            "javascript:alert(1)",
            "ftp://youtube.com/x",
            "https://social.example/@reporter",
        ] {
            assert_eq!(embed_of(line), None, "{line}");
        }
    }
}
