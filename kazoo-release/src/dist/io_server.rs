//! The group leader of what our calls run: an Erlang I/O server (the I/O protocol's
//! `put_chars` requests) writing to our stdout, so `io:format` on the node prints here.
//! `erl_call` has none, so the output of what it runs is lost (OTP issue 4212).

use std::io::Write;

use erl_dist::term::{List, Term};

use super::rpc::{atom, is_atom, tuple, Client};

/// The I/O protocol's reply to `request`. The forms without an encoding are latin1 (what a
/// node sends to a peer that did not announce unicode I/O).
pub(super) fn serve(client: &mut Client, request: &Term, out: &mut dyn Write) -> Term {
    let Term::Tuple(t) = request else { return enotsup() };
    match t.elements.as_slice() {
        [op, chars] if is_atom(op, "put_chars") => put_chars(chars, false, out),
        [op, encoding, chars] if is_atom(op, "put_chars") => put_chars(chars, is_atom(encoding, "latin1"), out),
        [op, Term::Atom(m), Term::Atom(f), args] if is_atom(op, "put_chars") => {
            format_then_put(client, (&m.name, &f.name, args), true, out)
        }
        [op, encoding, Term::Atom(m), Term::Atom(f), args] if is_atom(op, "put_chars") => {
            format_then_put(client, (&m.name, &f.name, args), is_atom(encoding, "latin1"), out)
        }
        [op, Term::List(requests)] if is_atom(op, "requests") => all(client, requests, out),
        _ => enotsup(),
    }
}

/// `{put_chars, Encoding, M, F, A}` (what `io:format` sends) leaves the formatting to the
/// I/O server: ask the node to run `M:F(A)` and print the characters it returns.
fn format_then_put(client: &mut Client, (m, f, args): (&str, &str, &Term), latin1: bool, out: &mut dyn Write) -> Term {
    let args = match args {
        Term::List(list) => list.elements.clone(),
        Term::ByteList(bytes) => bytes.bytes.iter().map(|&b| Term::from(erl_dist::term::FixInteger::from(b))).collect(),
        _ => return tuple(vec![atom("error"), atom(f)]),
    };
    match client.call(m, f, args, out) {
        Ok(chars) => put_chars(&chars, latin1, out),
        Err(_) => tuple(vec![atom("error"), atom(f)]),
    }
}

/// `{requests, [Request]}`: each in turn, stopping at the first error.
fn all(client: &mut Client, requests: &List, out: &mut dyn Write) -> Term {
    let mut reply = atom("ok");
    for request in &requests.elements {
        reply = serve(client, request, out);
        if !is_atom(&reply, "ok") {
            break;
        }
    }
    reply
}

fn put_chars(chars: &Term, latin1: bool, out: &mut dyn Write) -> Term {
    let mut text = String::new();
    if !chardata(chars, latin1, &mut text) {
        return tuple(vec![atom("error"), atom("badarg")]);
    }
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => atom("ok"),
        Err(_) => tuple(vec![atom("error"), atom("terminated")]),
    }
}

/// Appends Erlang chardata (code points, binaries and nested lists of both) to `text`;
/// binaries are UTF-8 unless the request said latin1. False when it is not chardata.
pub(super) fn chardata(term: &Term, latin1: bool, text: &mut String) -> bool {
    match term {
        Term::FixInteger(i) => u32::try_from(i.value).ok().and_then(char::from_u32).map(|c| text.push(c)).is_some(),
        Term::ByteList(b) => {
            text.extend(b.bytes.iter().map(|&b| char::from(b)));
            true
        }
        Term::Binary(b) if latin1 => {
            text.extend(b.bytes.iter().map(|&b| char::from(b)));
            true
        }
        Term::Binary(b) => std::str::from_utf8(&b.bytes).map(|s| text.push_str(s)).is_ok(),
        Term::List(l) => l.elements.iter().all(|t| chardata(t, latin1, text)),
        Term::ImproperList(l) => {
            l.elements.iter().all(|t| chardata(t, latin1, text))
                && matches!(*l.last, Term::Binary(_))
                && chardata(&l.last, latin1, text)
        }
        _ => false,
    }
}

/// What the I/O protocol answers to a request this server does not serve (reading input,
/// geometry, options): the same as OTP's own group leader for C nodes.
fn enotsup() -> Term {
    tuple(vec![atom("error"), atom("enotsup")])
}
