//! The Jupyter wire format (messaging protocol 5.3): a message travels as the
//! frames `identities…, "<IDS|MSG>", signature, header, parent_header,
//! metadata, content, buffers…`. The signature is the hex HMAC-SHA256, under
//! the connection file's key, of the four JSON frames in that order; a
//! message whose signature does not verify is refused (and the kernel keeps
//! serving).

use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;
use std::fmt;

/// The protocol version this kernel speaks.
pub const PROTOCOL_VERSION: &str = "5.3";

const DELIMITER: &[u8] = b"<IDS|MSG>";

/// Why a multipart message was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// No `<IDS|MSG>` frame.
    NoDelimiter,
    /// Fewer than the five frames after the delimiter.
    MissingFrames(usize),
    /// The signature does not verify under the session key.
    BadSignature,
    /// A JSON frame that does not parse, or a header without `msg_type`.
    Malformed(String),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::NoDelimiter => write!(f, "no <IDS|MSG> delimiter"),
            WireError::MissingFrames(n) => write!(f, "{n} frames after the delimiter, at least 5 needed"),
            WireError::BadSignature => write!(f, "the signature does not verify"),
            WireError::Malformed(why) => write!(f, "malformed message: {why}"),
        }
    }
}

impl std::error::Error for WireError {}

/// A decoded message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Routing identities (ROUTER sockets), echoed on replies.
    pub identities: Vec<Vec<u8>>,
    pub header: Value,
    pub parent_header: Value,
    pub metadata: Value,
    pub content: Value,
    pub buffers: Vec<Vec<u8>>,
}

impl Message {
    /// The header's `msg_type`.
    pub fn msg_type(&self) -> &str {
        self.header["msg_type"].as_str().unwrap_or("")
    }

    /// A new message of `msg_type` in reply to (or caused by) `parent`:
    /// same identities and session, `parent_header` set to the parent's header.
    pub fn child(parent: &Message, msg_type: &str, content: Value) -> Message {
        let session = parent.header["session"].as_str().unwrap_or("");
        let username = parent.header["username"].as_str().unwrap_or("kernel");
        Message {
            identities: parent.identities.clone(),
            header: header(msg_type, session, username),
            parent_header: parent.header.clone(),
            metadata: json!({}),
            content,
            buffers: vec![],
        }
    }
}

/// A fresh header.
pub fn header(msg_type: &str, session: &str, username: &str) -> Value {
    json!({
        "msg_id": uuid::Uuid::new_v4().to_string(),
        "session": session,
        "username": username,
        "date": humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string(),
        "msg_type": msg_type,
        "version": PROTOCOL_VERSION,
    })
}

/// Signs and verifies messages with the connection's key (an empty key: no signing, as Jupyter allows).
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    pub fn new(key: &[u8]) -> Signer {
        Signer { key: key.to_vec() }
    }

    fn mac(&self, frames: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        for f in frames {
            mac.update(f);
        }
        mac
    }

    /// The hex signature of the four JSON frames.
    pub fn sign(&self, frames: &[&[u8]]) -> String {
        if self.key.is_empty() {
            return String::new();
        }
        hex::encode(self.mac(frames).finalize().into_bytes())
    }

    /// Whether `signature` (hex) is right for the frames, compared in constant time.
    pub fn verify(&self, signature: &[u8], frames: &[&[u8]]) -> bool {
        if self.key.is_empty() {
            return true;
        }
        match hex::decode(signature) {
            Ok(bytes) => self.mac(frames).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }

    /// Encodes a message as signed frames.
    pub fn encode(&self, message: &Message) -> Vec<Vec<u8>> {
        let parts: Vec<Vec<u8>> = [&message.header, &message.parent_header, &message.metadata, &message.content]
            .iter()
            .map(|v| serde_json::to_vec(v).expect("JSON values serialise"))
            .collect();
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        let mut frames = message.identities.clone();
        frames.push(DELIMITER.to_vec());
        frames.push(self.sign(&refs).into_bytes());
        frames.extend(parts);
        frames.extend(message.buffers.iter().cloned());
        frames
    }

    /// Decodes and verifies signed frames.
    pub fn decode(&self, frames: &[Vec<u8>]) -> Result<Message, WireError> {
        let at = frames.iter().position(|f| f == DELIMITER).ok_or(WireError::NoDelimiter)?;
        let rest = &frames[at + 1..];
        if rest.len() < 5 {
            return Err(WireError::MissingFrames(rest.len()));
        }
        let json: Vec<&[u8]> = rest[1..5].iter().map(Vec::as_slice).collect();
        if !self.verify(&rest[0], &json) {
            return Err(WireError::BadSignature);
        }
        let parse = |bytes: &[u8], what: &str| -> Result<Value, WireError> {
            serde_json::from_slice(bytes).map_err(|e| WireError::Malformed(format!("{what}: {e}")))
        };
        let header = parse(json[0], "header")?;
        if !header.get("msg_type").is_some_and(Value::is_string) {
            return Err(WireError::Malformed("the header has no msg_type".into()));
        }
        Ok(Message {
            identities: frames[..at].to_vec(),
            header,
            parent_header: parse(json[1], "parent_header")?,
            metadata: parse(json[2], "metadata")?,
            content: parse(json[3], "content")?,
            buffers: rest[5..].to_vec(),
        })
    }
}

/// An empty JSON object.
pub fn empty() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Message {
        Message {
            identities: vec![b"client-7".to_vec()],
            header: header("execute_request", "s1", "user"),
            parent_header: empty(),
            metadata: empty(),
            content: json!({"code": "1+1", "silent": false}),
            buffers: vec![b"raw".to_vec()],
        }
    }

    #[test]
    fn signed_messages_round_trip() {
        let signer = Signer::new(b"secret-key");
        let frames = signer.encode(&request());
        assert_eq!(frames[1], DELIMITER);
        assert_eq!(frames[2].len(), 64, "hex of a 32-byte HMAC-SHA256");
        assert_eq!(signer.decode(&frames).unwrap(), request_with_same_header(&frames));
    }

    fn request_with_same_header(frames: &[Vec<u8>]) -> Message {
        let mut m = request();
        m.header = serde_json::from_slice(&frames[3]).unwrap();
        m
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_the_four_frames() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let signer = Signer::new(b"Jefe");
        let sig = signer.sign(&[b"what do ya ", b"want ", b"for nothing?", b""]);
        assert_eq!(sig, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn forged_or_broken_messages_are_refused() {
        let signer = Signer::new(b"secret-key");
        let mut frames = signer.encode(&request());
        frames[6] = br#"{"code": "rm -rf /", "silent": false}"#.to_vec();
        assert_eq!(signer.decode(&frames), Err(WireError::BadSignature));
        let other = Signer::new(b"another-key");
        assert_eq!(other.decode(&signer.encode(&request())), Err(WireError::BadSignature));
        let mut frames = signer.encode(&request());
        frames[2] = b"not hex at all".to_vec();
        assert_eq!(signer.decode(&frames), Err(WireError::BadSignature));
        assert_eq!(signer.decode(&[b"x".to_vec()]), Err(WireError::NoDelimiter));
        assert_eq!(signer.decode(&[DELIMITER.to_vec(), b"sig".to_vec()]), Err(WireError::MissingFrames(1)));
        let unsigned = Signer::new(b"");
        let mut frames = unsigned.encode(&request());
        frames[3] = b"{not json".to_vec();
        assert!(matches!(unsigned.decode(&frames), Err(WireError::Malformed(_))));
        frames[3] = b"{}".to_vec();
        assert!(matches!(unsigned.decode(&frames), Err(WireError::Malformed(_))));
    }

    #[test]
    fn replies_carry_the_parent_header_and_identities() {
        let req = request();
        let reply = Message::child(&req, "execute_reply", json!({"status": "ok"}));
        assert_eq!(reply.parent_header, req.header);
        assert_eq!(reply.identities, req.identities);
        assert_eq!(reply.msg_type(), "execute_reply");
        assert_eq!(reply.header["session"], "s1");
        assert_eq!(reply.header["version"], PROTOCOL_VERSION);
        assert!(reply.header["date"].as_str().unwrap().ends_with('Z'));
    }
}
