//! A hostile peer for the distribution client: a TCP server of the test's own, registered
//! under a node name in an EPMD of its own, that answers as the test says (a byte a second,
//! or a handshake with the cookie followed by a frame that announces more than it sends).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use erl_dist::epmd::{EpmdClient, NodeEntry};
use erl_dist::handshake::{HandshakeStatus, ServerSideHandshake};
use erl_dist::node::{Creation, LocalNode, NodeName as DistName};
use futures::executor::block_on;
use futures::io::AllowStdIo;
use kazoo_release::name::{hostname, NodeName};

use super::Epmd;

/// What the peer does with each connection.
#[derive(Clone, Copy)]
pub enum Answer {
    /// Sends a byte a second, for ever, from the first byte of the handshake on.
    ByteASecond,
    /// Completes the handshake with the cookie, then announces a frame of `announced`
    /// bytes and sends its body at `bytes_per_second` (0: nothing at all).
    Frame { announced: u32, bytes_per_second: usize },
}

/// The peer; it stops answering and leaves EPMD when dropped (then its EPMD is killed).
pub struct Peer {
    pub name: NodeName,
    pub cookie: String,
    /// Holds the name in EPMD for as long as it is open.
    registration: Option<AllowStdIo<TcpStream>>,
    epmd: Epmd,
}

impl Peer {
    pub fn start(answer: Answer) -> Peer {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = NodeName { name: format!("hostile_{}_{n}", std::process::id()), host: hostname().unwrap() };
        let cookie = format!("hostile_cookie_{n}");
        let listener = TcpListener::bind("0.0.0.0:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let epmd = Epmd::private();
        epmd.run();
        let stream = AllowStdIo::new(TcpStream::connect(("127.0.0.1", epmd.port())).unwrap());
        let entry = NodeEntry::new_hidden(&name.name, port);
        let (registration, _) = block_on(EpmdClient::new(stream).register(entry)).expect("EPMD takes the name");
        let (local, secret) = (name.clone(), cookie.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (local, secret) = (local.clone(), secret.clone());
                std::thread::spawn(move || serve(stream, answer, &local, &secret));
            }
        });
        Peer { name, cookie, registration: Some(registration), epmd }
    }

    /// The variables a command needs to find the peer: its EPMD's port.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![("ERL_EPMD_PORT", self.epmd.0.clone())]
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // EPMD refuses `-kill` while a name is registered.
        drop(self.registration.take());
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn serve(mut stream: TcpStream, answer: Answer, name: &NodeName, cookie: &str) {
    match answer {
        Answer::ByteASecond => {
            // The start of a handshake status message that never ends: length 3, then `sok`.
            for byte in [0u8, 3, b's', b'o', b'k'].iter().cycle() {
                if stream.write_all(&[*byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        Answer::Frame { announced, bytes_per_second } => {
            let local = LocalNode::new(DistName::new(&name.name, &name.host).unwrap(), Creation::random());
            let mut handshake = ServerSideHandshake::new(AllowStdIo::new(stream), local, cookie);
            if block_on(handshake.execute_recv_name()).is_err() {
                return;
            }
            let Ok((stream, _)) = block_on(handshake.execute_rest(HandshakeStatus::Ok)) else { return };
            let mut stream = stream.into_inner();
            if stream.write_all(&announced.to_be_bytes()).is_ok() {
                let _ = trickle(stream, bytes_per_second);
            }
        }
    }
}

/// Sends `per_second` bytes a second (in tenths), until the reader goes.
fn trickle(mut stream: TcpStream, per_second: usize) -> std::io::Result<()> {
    let chunk = vec![0u8; per_second / 10];
    let began = Instant::now();
    let mut sent = 0u32;
    loop {
        if per_second > 0 {
            stream.write_all(&chunk)?;
        }
        sent += 1;
        // Reads what the client sends (ticks, requests) so that it never blocks on us.
        stream.set_nonblocking(true)?;
        let _ = stream.read(&mut [0; 4096]);
        stream.set_nonblocking(false)?;
        let next = began + Duration::from_millis(100) * sent;
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
}
