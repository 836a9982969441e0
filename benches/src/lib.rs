//! Request fixtures shared by the benchmarks. Each has a stated size, checked
//! by the tests below, so the figures of different benches compare.

/// A short request, the size of httparse's short fixture: 68 bytes, 2 fields.
pub const SHORT: &[u8] =
    b"GET / HTTP/1.1\r\nHost: tern.example\r\nCookie: sid=4242; theme=dark\r\n\r\n";

/// A typical browser GET: 720 bytes, 9 fields.
pub const BROWSER: &[u8] = b"GET /images/2026/11/gallery/harbour-terns-at-dusk-over-the-estuary.jpeg HTTP/1.1\r\n\
Host: photos.tern.example\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0\r\n\
Accept: image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5\r\n\
Accept-Language: en-GB,en;q=0.8,de;q=0.5\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Referer: https://photos.tern.example/albums/coast\r\n\
Connection: keep-alive\r\n\
Sec-Fetch-Dest: image\r\n\
Cookie: session=a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3d4e5f6g7h8a1b2c3\r\n\
\r\n";

/// A chunked POST with 11 fields, head and body: 520 bytes.
pub const CHUNKED_POST: &[u8] = b"POST /api/v2/uploads/batch HTTP/1.1\r\n\
Host: upload.tern.example\r\n\
Accept: application/json\r\n\
Accept-Encoding: gzip, deflate\r\n\
Accept-Language: fr-FR,fr;q=0.9,en;q=0.6\r\n\
User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36\r\n\
Content-Type: application/octet-stream\r\n\
Origin: https://upload.tern.example\r\n\
Referer: https://upload.tern.example/queue\r\n\
Connection: keep-alive\r\n\
Transfer-Encoding: chunked\r\n\
X-Request-Id: 9f8e7d6\r\n\
\r\n10\r\n0123456789abcdef\r\n5\r\nhello\r\n0\r\n\r\n";

/// A head with 48 fields, as a proxy might forward: 2,044 bytes.
pub fn many_fields() -> Vec<u8> {
    let mut head =
        b"GET /api/v1/items?page=2&sort=name HTTP/1.1\r\nHost: api.example.net\r\n".to_vec();
    for i in 0..47 {
        head.extend_from_slice(
            format!("X-Forwarded-Item-{i:02}: value-{i:04}-abcdefgh\r\n").as_bytes(),
        );
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// `count` copies of `request` back to back, as a pipelining client sends them.
pub fn pipelined(request: &[u8], count: usize) -> Vec<u8> {
    request.repeat(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_have_their_stated_sizes() {
        assert_eq!(SHORT.len(), 68);
        assert_eq!(BROWSER.len(), 720);
        assert_eq!(CHUNKED_POST.len(), 520);
        assert_eq!(many_fields().len(), 2044);
    }
}
