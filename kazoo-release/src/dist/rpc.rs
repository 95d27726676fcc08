//! Calls: `gen_server` requests to registered processes, `rex` among them (what
//! `rpc:call` uses), with a deadline, serving the I/O of what they run meanwhile.

use std::io::Write;
use std::time::Duration;

use erl_dist::message::Message;
use erl_dist::term::{Atom, List, Pid, Reference, Term, Tuple};

use super::connection::{Connection, Deadline};
use super::{io_server, DistError};
use crate::name::NodeName;

/// A connection to one node that calls functions on it.
pub struct Client {
    pub(super) conn: Connection,
    pub(super) node: NodeName,
    next_ref: u32,
    /// Replies to calls other than the one being waited for (a call made to serve an I/O
    /// request may overtake the call that caused it).
    stash: Vec<(Reference, Term)>,
}

/// What arrives for us.
enum Incoming {
    Reply(Reference, Term),
    IoRequest { from: Pid, reply_as: Term, request: Term },
    Other,
}

impl Client {
    /// Connects to `node` with `cookie` as a hidden node named `<helper>_ctl_<pid>_<n>` (of
    /// `reach`); `timeout` bounds everything from the EPMD lookup to the last reply: one
    /// deadline, not one per read (see [`Client::renew`] for a connection kept open).
    pub fn connect(
        node: &NodeName,
        cookie: &str,
        timeout: Duration,
        reach: &super::Reach,
    ) -> Result<Client, DistError> {
        let conn = Connection::open(node, cookie, Deadline::after(timeout), reach)?;
        Ok(Client { conn, node: node.clone(), next_ref: 0, stash: Vec::new() })
    }

    /// A new deadline, `timeout` from now, for what follows on this connection: a watchdog
    /// that pings one node for ever gives each ping its own.
    pub fn renew(&mut self, timeout: Duration) {
        self.conn.set_deadline(Deadline::after(timeout));
    }

    /// Messages from the node above `bytes` are refused unread
    /// ([`DistError::TooLarge`]); [`DEFAULT_MAX_REPLY_SIZE`](super::DEFAULT_MAX_REPLY_SIZE)
    /// until set.
    pub fn set_max_reply_size(&mut self, bytes: u64) {
        self.conn.max_message = bytes;
    }

    /// The node this client talks to.
    pub fn node(&self) -> &NodeName {
        &self.node
    }

    /// `Module:Function(Args)` on the node, as `rpc:call` does it: through `rex`, with our
    /// own process as the group leader, so what the call prints goes to `out`.
    /// `{badrpc, Reason}` becomes [`DistError::Badrpc`].
    pub fn call(
        &mut self,
        module: &str,
        function: &str,
        args: Vec<Term>,
        out: &mut dyn Write,
    ) -> Result<Term, DistError> {
        let request = tuple(vec![
            atom("call"),
            atom(module),
            atom(function),
            List::from(args).into(),
            self.conn.me.clone().into(),
        ]);
        match self.gen_call("rex", request, out)? {
            Term::Tuple(t) if t.elements.len() == 2 && is_atom(&t.elements[0], "badrpc") => {
                Err(DistError::Badrpc { node: self.node.to_string(), reason: t.elements[1].to_string() })
            }
            result => Ok(result),
        }
    }

    /// A `gen_server:call(Name, Request)` to a process registered on the node.
    pub fn gen_call(&mut self, name: &str, request: Term, out: &mut dyn Write) -> Result<Term, DistError> {
        let tag = self.make_ref();
        let from = tuple(vec![self.conn.me.clone().into(), tag.clone().into()]);
        let call = tuple(vec![atom("$gen_call"), from, request]);
        self.conn.send(Message::reg_send(self.conn.me.clone(), Atom::from(name), call))?;
        self.await_reply(&tag, out)
    }

    /// Sends `message` to `pid` on the node, expecting no answer.
    pub(super) fn send(&mut self, pid: Pid, message: Term) -> Result<(), DistError> {
        self.conn.send(Message::send(pid, message))
    }

    fn await_reply(&mut self, tag: &Reference, out: &mut dyn Write) -> Result<Term, DistError> {
        loop {
            if let Some(i) = self.stash.iter().position(|(r, _)| r == tag) {
                return Ok(self.stash.swap_remove(i).1);
            }
            match classify(self.conn.recv()?) {
                Incoming::Reply(r, reply) => self.stash.push((r, reply)),
                Incoming::IoRequest { from, reply_as, request } => {
                    let reply = io_server::serve(self, &request, out);
                    self.send(from, tuple(vec![atom("io_reply"), reply_as, reply]))?;
                }
                Incoming::Other => {}
            }
        }
    }

    /// A reference unique on this connection, which is all a reply tag needs.
    fn make_ref(&mut self) -> Reference {
        self.next_ref += 1;
        Reference { node: self.conn.me.node.clone(), id: vec![self.next_ref, 0, 0], creation: self.conn.me.creation }
    }
}

fn classify(message: Message) -> Incoming {
    let payload = match message {
        Message::Send(m) => m.message,
        Message::SendSender(m) => m.message,
        _ => return Incoming::Other,
    };
    let Term::Tuple(Tuple { elements }) = payload else { return Incoming::Other };
    match <[Term; 2]>::try_from(elements) {
        Ok([Term::Reference(r), reply]) => Incoming::Reply(*r, reply),
        Ok(_) => Incoming::Other,
        Err(elements) => match <[Term; 4]>::try_from(elements) {
            Ok([tag, Term::Pid(from), reply_as, request]) if is_atom(&tag, "io_request") => {
                Incoming::IoRequest { from, reply_as, request }
            }
            _ => Incoming::Other,
        },
    }
}

pub(super) fn atom(name: &str) -> Term {
    Atom::from(name).into()
}

pub(super) fn tuple(elements: Vec<Term>) -> Term {
    Tuple::from(elements).into()
}

pub(super) fn is_atom(term: &Term, name: &str) -> bool {
    matches!(term, Term::Atom(a) if a.name == name)
}
