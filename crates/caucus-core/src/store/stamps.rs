//! The winning stamp of each field of a row, kept beside the row in its `stamps` column.
//!
//! Before, a `field_clock` table held one row per field keyed by table, row id and column as
//! text (about 90 bytes and a B-tree insert per field a merge wins, and a second lookup per row
//! merged). Kept in the row, the stamps are read with the row's causal length by the one
//! lookup the merge makes anyway, and written by the one INSERT or UPDATE of the row.
//!
//! The encoding, per field, in no particular order: the column name's length (one byte) and
//! its UTF-8 bytes, the causal length (LEB128), the clock (8 bytes, little-endian), the site
//! (16 bytes), the sequence number (LEB128). Names rather than positions, so a column added
//! or dropped by a later version never shifts another's stamp.

use crate::change::Stamp;
use crate::hlc::Hlc;
use uuid::Uuid;

/// A stamps value that is not in the encoding above (a damaged file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a row's field stamps are malformed at byte {at}")]
pub struct Malformed {
    /// Where decoding stopped.
    pub at: usize,
}

/// The stamps of a row's fields, by column name.
pub type Stamps = Vec<(String, Stamp)>;

impl From<Malformed> for crate::error::CoreError {
    /// A damaged stamps value is a storage error, as SQLite reports a value it cannot read.
    fn from(e: Malformed) -> Self {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(e))
            .into()
    }
}

/// Decodes a row's `stamps` column (NULL or empty: no field has a stamp yet).
pub fn decode(bytes: &[u8]) -> Result<Stamps, Malformed> {
    let mut reader = Reader { bytes, at: 0 };
    let mut out = Vec::new();
    while reader.at < bytes.len() {
        let len = reader.byte()? as usize;
        let name = std::str::from_utf8(reader.take(len)?)
            .map_err(|_| Malformed { at: reader.at })?
            .to_string();
        let cl = reader.varint()?;
        let hlc = u64::from_le_bytes(reader.take(8)?.try_into().expect("8 bytes"));
        let site = Uuid::from_slice(reader.take(16)?).expect("16 bytes");
        let seq = reader.varint()?;
        out.push((
            name,
            Stamp {
                cl,
                hlc: Hlc(hlc),
                site,
                seq,
            },
        ));
    }
    Ok(out)
}

/// Encodes `stamps` (column names longer than 255 bytes cannot occur: they come from the
/// static schema).
pub fn encode(stamps: &[(String, Stamp)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    for (name, stamp) in stamps {
        let name = &name.as_bytes()[..name.len().min(255)];
        out.push(name.len() as u8);
        out.extend_from_slice(name);
        varint(&mut out, stamp.cl);
        out.extend_from_slice(&stamp.hlc.0.to_le_bytes());
        out.extend_from_slice(stamp.site.as_bytes());
        varint(&mut out, stamp.seq);
    }
    out
}

/// `stamps` with `column`'s stamp set to `stamp`.
pub fn set(stamps: &mut Stamps, column: &str, stamp: Stamp) {
    match stamps.iter_mut().find(|(name, _)| name == column) {
        Some(slot) => slot.1 = stamp,
        None => stamps.push((column.to_string(), stamp)),
    }
}

/// `column`'s stamp in `stamps`.
pub fn get<'s>(stamps: &'s Stamps, column: &str) -> Option<&'s Stamp> {
    stamps
        .iter()
        .find(|(name, _)| name == column)
        .map(|(_, s)| s)
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn byte(&mut self) -> Result<u8, Malformed> {
        Ok(self.take(1)?[0])
    }

    fn take(&mut self, n: usize) -> Result<&'b [u8], Malformed> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or(Malformed { at: self.at })?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn varint(&mut self) -> Result<u64, Malformed> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(Malformed { at: self.at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(cl: u64, hlc: u64, seq: u64) -> Stamp {
        Stamp {
            cl,
            hlc: Hlc(hlc),
            site: Uuid::from_u128(0xfeed_beef_u128 << 64 | 7),
            seq,
        }
    }

    #[test]
    fn stamps_round_trip_and_replace_by_column() {
        let mut stamps: Stamps = Vec::new();
        set(&mut stamps, "title", stamp(1, u64::MAX, 0));
        set(&mut stamps, "body", stamp(300, 1 << 40, u64::MAX));
        set(&mut stamps, "title", stamp(3, 12, 128));
        let bytes = encode(&stamps);
        let back = decode(&bytes).expect("decodes");
        assert_eq!(back, stamps);
        assert_eq!(get(&back, "title"), Some(&stamp(3, 12, 128)));
        assert_eq!(get(&back, "state"), None);
        assert_eq!(decode(&[]).expect("empty"), Vec::new());
    }

    #[test]
    fn every_truncation_of_stamps_is_refused_not_misread() {
        let mut stamps: Stamps = Vec::new();
        set(&mut stamps, "name", stamp(1, 99, 5));
        let bytes = encode(&stamps);
        for cut in 1..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        // A varint that never ends, and a name that is not UTF-8.
        assert!(
            decode(&[1, b'a', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err()
        );
        assert!(decode(&[1, 0xff]).is_err());
    }
}
