//! Saving stories through the desk's story form over plain HTTP, as the browser sends it
//! (multipart, because the form can carry a photo).

use crate::helpers::{Browser, input_value, location};
use reqwest::StatusCode;

/// A story as the desk form sends it.
pub struct StoryPost<'a> {
    pub headline: &'a str,
    pub body: &'a str,
    /// The revision the edit started from; `None` creates a story.
    pub revision: Option<u64>,
}

/// What the server answered to a save it acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub id: String,
}

impl Browser {
    /// Sends the story form with the "Save draft" button. `id` is the story to update, or
    /// `None` for a new one. Returns the saved story's id when the server acknowledged the
    /// save (its redirect to the edit page), or the status and body it answered instead.
    pub async fn save_story(
        &self,
        csrf: &str,
        id: Option<&str>,
        post: &StoryPost<'_>,
    ) -> Result<Saved, (StatusCode, String)> {
        let revision = post.revision.map(|r| r.to_string()).unwrap_or_default();
        let fields = [
            ("csrf", csrf),
            ("revision", revision.as_str()),
            ("headline", post.headline),
            ("bylines", "Test Writer"),
            ("section", "world"),
            ("body", post.body),
            ("action", "save"),
        ];
        let (content_type, body) = multipart(&fields);
        let path = match id {
            Some(id) => format!("/desk/stories/{id}"),
            None => "/desk/stories".to_owned(),
        };
        let response = self
            .client
            .post(format!("{}{}", self.address, path))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        let status = response.status();
        let saved_id = location(&response).and_then(|to| {
            to.strip_prefix("/desk/stories/")?
                .split('?')
                .next()
                .map(str::to_owned)
        });
        match (status, saved_id) {
            (StatusCode::SEE_OTHER, Some(id)) => Ok(Saved { id }),
            _ => Err((status, response.text().await.unwrap_or_default())),
        }
    }

    /// The revision the desk's edit page of story `id` shows.
    pub async fn revision_on_desk(&self, id: &str) -> u64 {
        let (status, page) = self.get_html(&format!("/desk/stories/{id}")).await;
        assert_eq!(status, StatusCode::OK, "the edit page of {id}");
        input_value(&page, "revision")
            .and_then(|r| r.parse().ok())
            .expect("a revision on the edit page")
    }
}

/// A `multipart/form-data` body holding `fields`; returns its content type and bytes.
pub fn multipart(fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "----newsroom-test-boundary-7d1f";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    (
        format!("multipart/form-data; boundary={BOUNDARY}"),
        body.into_bytes(),
    )
}
