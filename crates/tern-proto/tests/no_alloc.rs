//! No allocation per request in steady state: once a connection has seen a
//! request of a given shape, more such requests allocate nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use tern_proto::{Config, Connection, Event, Intent, Outcome};

struct CountingAllocator;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter only observes.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const REQUESTS: &[u8] = b"GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test\r\n\
Accept: */*\r\nAccept-Encoding: gzip\r\nCookie: a=b; c=d\r\n\r\n\
POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n\
5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nChecksum: abc\r\nExpires: never\r\n\r\n\
PUT /f HTTP/1.1\r\nHost: example.com\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\nhello world";

/// Parses `REQUESTS` once, in pieces of `piece` bytes; returns the body bytes seen.
fn serve_once(conn: &mut Connection, piece: usize) -> usize {
    let mut start = 0;
    let mut available = 0;
    let mut body = 0;
    while available < REQUESTS.len() {
        available = (available + piece).min(REQUESTS.len());
        loop {
            let step = conn
                .poll_event(&REQUESTS[start..available])
                .expect("valid input");
            start += step.consumed;
            match step.outcome {
                Outcome::Event(Event::Data(data)) => body += data.len(),
                Outcome::Event(Event::EndOfMessage(_)) => {
                    conn.finish_response(Intent::KeepAlive).unwrap();
                    conn.start_next_cycle().unwrap();
                }
                Outcome::NeedData => break,
                _ => {}
            }
        }
    }
    body
}

#[test]
fn steady_state_parsing_does_not_allocate() {
    for piece in [REQUESTS.len(), 64, 7, 1] {
        let mut conn = Connection::new(Config::default());
        assert_eq!(serve_once(&mut conn, piece), 22);
        ALLOCATIONS.store(0, Ordering::Relaxed);
        COUNTING.with(|c| c.set(true));
        for _ in 0..200 {
            assert_eq!(serve_once(&mut conn, piece), 22);
        }
        COUNTING.with(|c| c.set(false));
        assert_eq!(ALLOCATIONS.load(Ordering::Relaxed), 0, "piece size {piece}");
    }
}
