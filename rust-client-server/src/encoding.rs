//! How values travel: keys and values are UTF-8 strings on the wire and bytes in the DB;
//! micro-op transactions store a register as a decimal int64 and a list as decimal int64s
//! joined by ",". Malformed data is an error naming the key, never a panic.

use crate::error::{OpError, OpResult};

/// Bytes read from the DB as a UTF-8 string (a definite error otherwise: the read failed).
pub fn utf8(key: &str, bytes: Vec<u8>) -> OpResult<String> {
    String::from_utf8(bytes).map_err(|e| {
        OpError::definite(format!(
            "value of key {key:?} is not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

pub fn utf8_opt(key: &str, bytes: Option<Vec<u8>>) -> OpResult<Option<String>> {
    bytes.map(|b| utf8(key, b)).transpose()
}

pub fn encode_register(value: i64) -> String {
    value.to_string()
}

pub fn decode_register(key: &str, text: &str) -> OpResult<i64> {
    text.parse().map_err(|_| {
        OpError::definite(format!("value of key {key:?} is not a register (decimal int64): {text:?}"))
    })
}

pub fn decode_list(key: &str, text: &str) -> OpResult<Vec<i64>> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|item| {
            item.parse().map_err(|_| {
                OpError::definite(format!(
                    "value of key {key:?} is not a list (decimal int64s joined by \",\"): {text:?}"
                ))
            })
        })
        .collect()
}

/// The list text after appending `value` to `current` (absent = empty list).
pub fn append_to_list(key: &str, current: Option<&str>, value: i64) -> OpResult<String> {
    match current {
        None | Some("") => Ok(value.to_string()),
        Some(text) => {
            decode_list(key, text)?;
            Ok(format!("{text},{value}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn non_utf8_bytes_are_a_definite_error_naming_the_key() {
        let e = utf8("k1", vec![b'a', 0xff, b'b']).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Definite);
        assert!(e.message.contains("\"k1\"") && e.message.contains("offset 1"), "{}", e.message);
        assert_eq!(utf8("k1", "héllo".as_bytes().to_vec()).unwrap(), "héllo");
        assert_eq!(utf8_opt("k", None).unwrap(), None);
    }

    #[test]
    fn registers_round_trip_and_reject_garbage() {
        assert_eq!(decode_register("k", &encode_register(-42)).unwrap(), -42);
        assert_eq!(decode_register("k", "9223372036854775807").unwrap(), i64::MAX);
        assert!(decode_register("k", "4x").unwrap_err().message.contains("\"4x\""));
        assert!(decode_register("k", "").is_err());
    }

    #[test]
    fn lists_append_and_decode() {
        assert_eq!(decode_list("k", "").unwrap(), Vec::<i64>::new());
        let one = append_to_list("k", None, 1).unwrap();
        let two = append_to_list("k", Some(&one), -2).unwrap();
        let three = append_to_list("k", Some(&two), 3).unwrap();
        assert_eq!(three, "1,-2,3");
        assert_eq!(decode_list("k", &three).unwrap(), vec![1, -2, 3]);
        assert_eq!(append_to_list("k", Some(""), 5).unwrap(), "5");
    }

    #[test]
    fn malformed_lists_are_errors_not_silently_extended() {
        assert!(decode_list("k", "1,,2").is_err());
        assert!(decode_list("k", "1,a").is_err());
        assert!(append_to_list("k", Some("x"), 1).is_err());
    }
}
