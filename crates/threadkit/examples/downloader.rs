//! Downloads N files in parallel with the thread pool, from a small HTTP server that this example
//! starts on 127.0.0.1, and compares with downloading them one after another.
//!
//! The server answers each request after a few milliseconds (like a real server's latency), so the
//! pool's overlap is visible: the parallel run takes about `N / workers` times the latency.
//!
//! Run with `cargo run --example downloader`.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use threadkit::futures::ThreadPoolExecutor;

const FILES: usize = 16;
const WORKERS: usize = 8;
const LATENCY: Duration = Duration::from_millis(15);

/// The bytes of file `n`: generated, so every download can be checked.
fn contents(n: usize) -> Vec<u8> {
    (0..4096 + n * 100).map(|i| (i * 31 + n) as u8).collect()
}

/// Serves `GET /file/<n>` on a loopback port, one thread per connection.
fn serve() -> SocketAddr {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a loopback port");
    let address = listener.local_addr().expect("a bound address");
    thread::Builder::new()
        .name("http-server".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                thread::spawn(move || answer(stream));
            }
        })
        .expect("spawn the server");
    address
}

fn answer(mut stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Skip the headers.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|read| read > 2) {
        line.clear();
    }
    thread::sleep(LATENCY);
    let n = request_line
        .split_whitespace()
        .nth(1)
        .and_then(|path| path.strip_prefix("/file/"))
        .and_then(|n| n.parse().ok());
    let response = match n {
        Some(n) => {
            let body = contents(n);
            let mut response = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            response.extend(body);
            response
        }
        None => {
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
        }
    };
    let _ = stream.write_all(&response);
}

fn fetch(agent: &ureq::Agent, address: SocketAddr, n: usize) -> Vec<u8> {
    agent
        .get(format!("http://{address}/file/{n}"))
        .call()
        .expect("the local server answers")
        .body_mut()
        .read_to_vec()
        .expect("a complete body")
}

fn main() {
    let address = serve();
    // No proxy: the server is on the loopback interface.
    let agent: ureq::Agent = ureq::Agent::config_builder().proxy(None).build().into();

    let start = Instant::now();
    let sequential: Vec<Vec<u8>> = (0..FILES).map(|n| fetch(&agent, address, n)).collect();
    let sequential_time = start.elapsed();

    let pool = ThreadPoolExecutor::builder()
        .max_workers(WORKERS)
        .thread_name_prefix("downloader")
        .build()
        .expect("a valid pool configuration");
    let start = Instant::now();
    let futures: Vec<_> = (0..FILES)
        .map(|n| {
            let agent = agent.clone();
            pool.submit(move || fetch(&agent, address, n))
                .expect("the pool accepts work")
        })
        .collect();
    let parallel: Vec<Vec<u8>> = futures
        .iter()
        .map(|future| future.result(None).expect("the download succeeds"))
        .collect();
    let parallel_time = start.elapsed();

    for (n, (one, other)) in sequential.iter().zip(&parallel).enumerate() {
        assert_eq!(one, &contents(n), "file {n} downloaded sequentially");
        assert_eq!(other, &contents(n), "file {n} downloaded by the pool");
    }
    let bytes: usize = parallel.iter().map(Vec::len).sum();
    println!(
        "downloaded {FILES} files ({bytes} bytes) from http://{address}, {LATENCY:?} server latency each"
    );
    println!("sequential: {sequential_time:?}");
    println!(
        "pool of {WORKERS}: {parallel_time:?} ({:.1}x faster)",
        sequential_time.as_secs_f64() / parallel_time.as_secs_f64()
    );
}
