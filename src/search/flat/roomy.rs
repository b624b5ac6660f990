//! The text of a [`super::Texts`] in a snapshot: its length, then the text in pieces, so
//! that decoding can allocate the whole text once with room to grow. A start after a save
//! patches the decoded index in place (`in_place.rs`); a text decoded to its exact size would
//! be copied whole into a new allocation by the first change that makes it longer (at
//! 1,000,000 records, a hundred megabytes of freshly zeroed memory for a few bytes more).

use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};

/// Bytes per piece: small enough that a piece decoded into a buffer of its own stays in the
/// cache on its way into the text.
const PIECE: usize = 1 << 16;

/// Room left at the end of a decoded text: enough for a few hundred edits of a long text.
fn room(len: usize) -> usize {
    (len / 256).max(1 << 16)
}

pub(super) fn serialize<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
    let mut pieces: Vec<&str> = Vec::with_capacity(text.len() / PIECE + 1);
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = PIECE.min(rest.len());
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (piece, after) = rest.split_at(cut);
        pieces.push(piece);
        rest = after;
    }
    let mut t = s.serialize_tuple(2)?;
    t.serialize_element(&(text.len() as u64))?;
    t.serialize_element(&pieces)?;
    t.end()
}

pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_tuple(2, Whole)
}

/// The length, then the pieces into one allocation of that length and some room.
struct Whole;

impl<'de> Visitor<'de> for Whole {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a text's length and its pieces")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
        let len: u64 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let len = usize::try_from(len).map_err(|_| de::Error::custom("text too long"))?;
        let mut text = String::new();
        // a damaged length must not end the process: a failed allocation is an error
        text.try_reserve_exact(len.saturating_add(room(len)))
            .map_err(|_| de::Error::custom("text too long to hold"))?;
        seq.next_element_seed(Pieces(&mut text))?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if text.len() != len {
            return Err(de::Error::custom("text not of its length"));
        }
        Ok(text)
    }
}

/// The pieces, each appended to the text.
struct Pieces<'t>(&'t mut String);

impl<'de> DeserializeSeed<'de> for Pieces<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Pieces<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("pieces of text")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(piece) = seq.next_element::<String>()? {
            if self.0.len() + piece.len() > self.0.capacity() {
                return Err(de::Error::custom("pieces longer than the text"));
            }
            self.0.push_str(&piece);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Held(#[serde(with = "super")] String);

    #[test]
    fn a_text_comes_back_whole_with_room_to_grow() {
        // pieces cut inside a character are cut before it
        let text: String = "ë€x".repeat(3 * super::PIECE / 5);
        let bytes = bincode::serialize(&Held(text.clone())).expect("encode");
        let Held(back) = bincode::deserialize(&bytes).expect("decode");
        assert_eq!(back, text);
        assert!(back.capacity() >= text.len() + super::room(text.len()));
        let Held(empty) =
            bincode::deserialize(&bincode::serialize(&Held(String::new())).expect("encode"))
                .expect("decode");
        assert_eq!(empty, "");
    }

    #[test]
    fn a_damaged_length_is_an_error_not_an_abort() {
        let mut bytes = bincode::serialize(&Held("kort".into())).expect("encode");
        // the length, first: claimed far longer than memory, then one byte off
        bytes[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(bincode::deserialize::<Held>(&bytes).is_err());
        bytes[..8].copy_from_slice(&3u64.to_le_bytes());
        assert!(bincode::deserialize::<Held>(&bytes).is_err());
        bytes[..8].copy_from_slice(&5u64.to_le_bytes());
        assert!(bincode::deserialize::<Held>(&bytes).is_err());
    }
}
