//! Compressed copies of cached pages. Browsers and feed readers nearly always ask for gzip or
//! Brotli; compressing the same page again for every one of them cost twenty times what
//! serving it did. A copy is made the first time a client asks for that coding, and kept with
//! the page until the next publish.

use actix_web::dev::ServiceRequest;
use actix_web::http::header::{self, AcceptEncoding, Encoding, Header, HeaderValue};
use actix_web::web::Bytes;
use std::cell::RefCell;
use std::io::Write;

thread_local! {
    /// The last `Accept-Encoding` value negotiated on this thread, and the coding it gave.
    static LAST_NEGOTIATED: RefCell<Option<(Vec<u8>, Coding)>> = const { RefCell::new(None) };
}

/// The content codings a cached page is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Identity,
    Gzip,
    Brotli,
}

/// Compression for pages made once and sent many times: better than what actix-web uses for
/// one-off answers (gzip "fast", Brotli 3), still a few milliseconds for a 150 KB feed.
const GZIP_LEVEL: u32 = 6;
const BROTLI_QUALITY: u32 = 5;
const BROTLI_WINDOW_BITS: u32 = 22;

impl Coding {
    /// The coding to answer `req` with: the client's preference among Brotli, gzip and none
    /// (RFC 9110 §12.5.3, with q-values). A header that names nothing we make, or that cannot
    /// be parsed, gets the page uncompressed, which every client can read.
    pub fn negotiate(req: &ServiceRequest) -> Self {
        let Some(accept) = req.headers().get(header::ACCEPT_ENCODING) else {
            return Coding::Identity;
        };
        // Parsing the header allocates and sorts, and was the largest cost of a cached page
        // after the kernel's; clients send few distinct values, and a worker thread's
        // connections mostly one, so the last outcome is kept and reused for the same bytes.
        LAST_NEGOTIATED.with_borrow_mut(|last| match last {
            Some((value, coding)) if value.as_slice() == accept.as_bytes() => *coding,
            _ => {
                let coding = Self::parse(req);
                *last = Some((accept.as_bytes().to_vec(), coding));
                coding
            }
        })
    }

    fn parse(req: &ServiceRequest) -> Self {
        let Ok(accept) = AcceptEncoding::parse(req) else {
            return Coding::Identity;
        };
        let supported = [Encoding::brotli(), Encoding::gzip(), Encoding::identity()];
        match accept.negotiate(supported.iter()) {
            Some(e) if e == Encoding::brotli() => Coding::Brotli,
            Some(e) if e == Encoding::gzip() => Coding::Gzip,
            _ => Coding::Identity,
        }
    }

    /// The `Content-Encoding` value; none for an uncompressed page.
    pub fn header(self) -> Option<HeaderValue> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some(HeaderValue::from_static("gzip")),
            Coding::Brotli => Some(HeaderValue::from_static("br")),
        }
    }

    /// `body` in this coding.
    pub fn encode(self, body: &[u8]) -> std::io::Result<Bytes> {
        let out = Vec::with_capacity(body.len() / 3 + 64);
        let out = match self {
            Coding::Identity => return Ok(Bytes::copy_from_slice(body)),
            Coding::Gzip => {
                let level = flate2::Compression::new(GZIP_LEVEL);
                let mut encoder = flate2::write::GzEncoder::new(out, level);
                encoder.write_all(body)?;
                encoder.finish()?
            }
            Coding::Brotli => {
                let mut encoder = brotli::CompressorWriter::new(
                    out,
                    32 << 10,
                    BROTLI_QUALITY,
                    BROTLI_WINDOW_BITS,
                );
                encoder.write_all(body)?;
                encoder.flush()?;
                encoder.into_inner()
            }
        };
        Ok(Bytes::from(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use std::io::Read;

    fn coding_for(accept: Option<&str>) -> Coding {
        let mut req = TestRequest::default();
        if let Some(accept) = accept {
            req = req.insert_header((header::ACCEPT_ENCODING, accept));
        }
        Coding::negotiate(&req.to_srv_request())
    }

    #[test]
    fn the_client_preference_decides_and_anything_else_is_uncompressed() {
        assert_eq!(coding_for(None), Coding::Identity);
        assert_eq!(coding_for(Some("gzip")), Coding::Gzip);
        assert_eq!(coding_for(Some("br")), Coding::Brotli);
        assert_eq!(coding_for(Some("gzip;q=1, br;q=0.5")), Coding::Gzip);
        assert_eq!(coding_for(Some("br, gzip;q=0.8")), Coding::Brotli);
        assert_eq!(coding_for(Some("zstd")), Coding::Identity);
        assert_eq!(coding_for(Some("deflate")), Coding::Identity);
        assert_eq!(coding_for(Some("gzip;q=0")), Coding::Identity);
        assert_eq!(coding_for(Some(";;;q=nonsense")), Coding::Identity);
    }

    #[test]
    fn a_value_asked_for_again_gets_what_it_got_the_first_time() {
        let asked = [
            (Some("gzip"), Coding::Gzip),
            (Some("gzip"), Coding::Gzip),
            (Some("br"), Coding::Brotli),
            (Some("gzip;q=0"), Coding::Identity),
            (None, Coding::Identity),
            (Some("gzip;q=0"), Coding::Identity),
            (Some("gzip"), Coding::Gzip),
            (Some("br"), Coding::Brotli),
        ];
        for (accept, coding) in asked {
            assert_eq!(coding_for(accept), coding, "{accept:?}");
        }
    }

    #[test]
    fn every_coding_gives_back_the_same_bytes() {
        let page = "<p>GENEVA, July 14 (Xinhua) -- The talks ended.</p>\n".repeat(200);

        let gzip = Coding::Gzip.encode(page.as_bytes()).unwrap();
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(&gzip[..])
            .read_to_string(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, page);
        assert!(gzip.len() < page.len() / 4);

        let brotli = Coding::Brotli.encode(page.as_bytes()).unwrap();
        let mut unbrotlied = String::new();
        brotli::Decompressor::new(&brotli[..], 4096)
            .read_to_string(&mut unbrotlied)
            .unwrap();
        assert_eq!(unbrotlied, page);

        assert_eq!(Coding::Identity.encode(page.as_bytes()).unwrap(), page);
    }
}
