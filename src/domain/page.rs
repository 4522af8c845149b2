//! Page numbers for listings and multi-page stories.

use std::str::FromStr;

/// A 1-based page number. `0`, negatives, non-numbers and absurdly large numbers do not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PageNumber(u32);

impl PageNumber {
    pub const FIRST: PageNumber = PageNumber(1);
    /// No listing or story has more pages; anything beyond is malformed.
    pub const MAX: u32 = 10_000_000;

    pub fn new(n: u32) -> Option<Self> {
        (1..=Self::MAX).contains(&n).then_some(Self(n))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// Zero-based index, for slicing.
    pub fn index(self) -> usize {
        self.0 as usize - 1
    }
}

impl FromStr for PageNumber {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        if s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        s.parse::<u32>().ok().and_then(Self::new).ok_or(())
    }
}

/// Where a page sits among its siblings: what page navigation needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub current: u32,
    pub total: u32,
}

impl Paging {
    pub fn prev(&self) -> Option<u32> {
        (self.current > 1).then(|| self.current - 1)
    }

    pub fn next(&self) -> Option<u32> {
        (self.current < self.total).then(|| self.current + 1)
    }

    /// Page numbers to link, with `None` standing for an elided run: `1 … 4 5 6 … 20`.
    pub fn window(&self) -> Vec<Option<u32>> {
        const SPAN: u32 = 2;
        let mut out = Vec::new();
        let lo = self.current.saturating_sub(SPAN).max(1);
        let hi = (self.current + SPAN).min(self.total);
        if lo > 1 {
            out.push(Some(1));
            if lo > 2 {
                out.push(None);
            }
        }
        out.extend((lo..=hi).map(Some));
        if hi < self.total {
            if hi + 1 < self.total {
                out.push(None);
            }
            out.push(Some(self.total));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_parse_strictly() {
        assert_eq!("3".parse::<PageNumber>().unwrap().get(), 3);
        for bad in [
            "0",
            "-1",
            "abc",
            "",
            "+2",
            " 2",
            "123456789012345678901234567890",
            "99999999",
        ] {
            assert!(bad.parse::<PageNumber>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn the_window_elides_far_pages() {
        let paging = Paging {
            current: 10,
            total: 20,
        };
        assert_eq!(
            paging.window(),
            vec![
                Some(1),
                None,
                Some(8),
                Some(9),
                Some(10),
                Some(11),
                Some(12),
                None,
                Some(20)
            ]
        );
        assert_eq!(
            Paging {
                current: 1,
                total: 4
            }
            .window(),
            vec![Some(1), Some(2), Some(3), Some(4)]
        );
        assert_eq!(
            Paging {
                current: 1,
                total: 4
            }
            .next(),
            Some(2)
        );
        assert_eq!(
            Paging {
                current: 1,
                total: 4
            }
            .prev(),
            None
        );
    }
}
