//! The ninjs 2.2 news item as JSON: the properties Newsroom writes or reads.

use serde::{Deserialize, Serialize};

/// A ninjs 2.2 news item: the properties Newsroom writes or reads, in the order it writes them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub uri: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firstcreated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioncreated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contentcreated: Option<String>,
    /// The time before which nothing of the item may be published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embargoed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pubstatus: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slugline: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headlines: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub descriptions: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bodies: Vec<BodyText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<Entity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub infosources: Vec<InfoSource>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<Entity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub located: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyrightholder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyrightnotice: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renditions: Vec<Rendition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub associations: Vec<Association>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Text {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contenttype: Option<String>,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BodyText {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contenttype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charcount: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wordcount: Option<u64>,
    pub value: String,
}

/// A person or subject: ninjs gives both the same shape.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub literal: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InfoSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rendition {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contenttype: Option<String>,
}

/// An associated item; Newsroom writes one, the lead photo, named `photo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Association {
    pub name: String,
    pub uri: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub descriptions: Vec<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyrightholder: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renditions: Vec<Rendition>,
}
