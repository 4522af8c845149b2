//! A story's language: a BCP 47 tag ("en", "zh-Hans", "ar-EG"), which pages carry as `lang`
//! (and `dir="rtl"` when its script is written right to left), feeds as `xml:lang` and
//! `<language>`, structured data as `inLanguage` and ninjs as `language`.

use super::DomainError;
use std::fmt;

/// A well-formed BCP 47 language tag in its canonical case: the language in lower case, a script
/// in title case, a region in upper case ("zh-Hant-TW"). Only the form is checked, not that the
/// registry holds each subtag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Language(String);

/// Languages whose usual script runs right to left.
const RTL_LANGUAGES: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ps", "sd", "syr", "ug", "ur", "yi",
];
/// Scripts written right to left.
const RTL_SCRIPTS: &[&str] = &["Adlm", "Arab", "Hebr", "Nkoo", "Rohg", "Syrc", "Thaa"];

impl Language {
    pub const MAX_CHARS: usize = 35;
    const FIELD: &'static str = "Language";

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim().replace('_', "-");
        if value.is_empty() {
            return Err(DomainError::Empty { field: Self::FIELD });
        }
        let bad = || {
            DomainError::invalid(
                Self::FIELD,
                format!("{value:?} is not a language tag such as en, fr, zh-Hans or ar-EG"),
            )
        };
        if value.len() > Self::MAX_CHARS {
            return Err(bad());
        }
        let mut out = Vec::new();
        for (i, subtag) in value.split('-').enumerate() {
            let ok = !subtag.is_empty()
                && subtag.len() <= 8
                && subtag.bytes().all(|b| b.is_ascii_alphanumeric());
            if !ok {
                return Err(bad());
            }
            let lower = subtag.to_ascii_lowercase();
            out.push(match (i, subtag.len()) {
                (0, 2..=3) if subtag.bytes().all(|b| b.is_ascii_alphabetic()) => lower,
                (0, _) => return Err(bad()),
                (_, 4) if subtag.bytes().all(|b| b.is_ascii_alphabetic()) => {
                    let mut script = lower;
                    script[..1].make_ascii_uppercase();
                    script
                }
                (_, 2) if subtag.bytes().all(|b| b.is_ascii_alphabetic()) => {
                    subtag.to_ascii_uppercase()
                }
                _ => lower,
            });
        }
        Ok(Language(out.join("-")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The language subtag alone ("zh" of "zh-Hant-TW").
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    /// The script subtag, if the tag names one.
    fn script(&self) -> Option<&str> {
        self.0
            .split('-')
            .skip(1)
            .find(|s| s.len() == 4 && s.bytes().all(|b| b.is_ascii_alphabetic()))
    }

    /// Whether text in this language is written right to left: its script says so, or it
    /// names none and the language's usual script does.
    pub fn is_rtl(&self) -> bool {
        match self.script() {
            Some(script) => RTL_SCRIPTS.contains(&script),
            None => RTL_LANGUAGES.contains(&self.primary()),
        }
    }

    /// `rtl` or `ltr`, for a `dir` attribute.
    pub fn dir(&self) -> &'static str {
        if self.is_rtl() { "rtl" } else { "ltr" }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_in_their_canonical_case() {
        assert_eq!(Language::parse("EN").unwrap().as_str(), "en");
        assert_eq!(
            Language::parse("zh_hant_tw").unwrap().as_str(),
            "zh-Hant-TW"
        );
        assert_eq!(Language::parse(" ar-eg ").unwrap().as_str(), "ar-EG");
        assert_eq!(Language::parse("es-419").unwrap().as_str(), "es-419");
        for bad in [
            "",
            "e",
            "english!",
            "en--gb",
            "123",
            "en-toolongsubtag",
            "x-",
        ] {
            assert!(Language::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn right_to_left_follows_the_script_then_the_language() {
        assert!(Language::parse("ar").unwrap().is_rtl());
        assert!(Language::parse("he-IL").unwrap().is_rtl());
        assert!(!Language::parse("zh-Hans").unwrap().is_rtl());
        assert!(!Language::parse("en").unwrap().is_rtl());
        // Azerbaijani in Arabic script, and Uyghur written in Latin script.
        assert!(Language::parse("az-Arab").unwrap().is_rtl());
        assert!(!Language::parse("ug-Latn").unwrap().is_rtl());
        assert_eq!(Language::parse("fa").unwrap().dir(), "rtl");
    }
}
