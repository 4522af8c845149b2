//! An ordered index whose n-th entry can be found without walking the n entries before it.
//!
//! Entries sort by a 32-bit timestamp (seconds since 1970) and the story id. Beside them sits a
//! 16-ary tree of counters over the timestamp's bits: level L holds, for every run of 16^L
//! seconds that has entries, how many it has. Finding the n-th newest entry descends 8 levels,
//! reading at most 16 counters at each, then steps over fewer entries than share one 16-second
//! bucket. So page 5,000 of a million stories costs what page 1 costs.
//!
//! Key layout, all under one index's `prefix` (which ends in a 0 byte, so no prefix is a prefix
//! of another):
//! - entry:   prefix 0x00 | ts: u32 BE | id: 16 bytes  -> the caller's value
//! - counter: prefix L    | ts >> 4L: u32 BE          -> count: u64 BE   (L = 1..=8)

use super::StoreError;
use super::codec::{decode_count, encode_count};
use sled::transaction::{TransactionalTree, UnabortableTransactionError};
use sled::{IVec, Tree};

const LEVELS: u8 = 8;
const BITS: u32 = 4;
const ENTRY: u8 = 0;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Entry {
    pub prefix: Vec<u8>,
    pub ts: u32,
    pub id: [u8; 16],
}

impl Entry {
    pub fn key(&self) -> Vec<u8> {
        entry_key(&self.prefix, self.ts, &self.id)
    }
}

fn entry_key(prefix: &[u8], ts: u32, id: &[u8; 16]) -> Vec<u8> {
    let mut key = Vec::with_capacity(prefix.len() + 21);
    key.extend_from_slice(prefix);
    key.push(ENTRY);
    key.extend_from_slice(&ts.to_be_bytes());
    key.extend_from_slice(id);
    key
}

fn counter_key(prefix: &[u8], level: u8, bucket: u32) -> Vec<u8> {
    let mut key = Vec::with_capacity(prefix.len() + 5);
    key.extend_from_slice(prefix);
    key.push(level);
    key.extend_from_slice(&bucket.to_be_bytes());
    key
}

fn bucket(ts: u32, level: u8) -> u32 {
    (u64::from(ts) >> (BITS * u32::from(level))) as u32
}

type TxResult<T> = Result<T, UnabortableTransactionError>;

/// Adds `entry` with `value` inside a transaction, counting it.
pub fn insert(tx: &TransactionalTree, entry: &Entry, value: &[u8]) -> TxResult<()> {
    tx.insert(entry.key(), value)?;
    adjust_counts(tx, entry, 1)
}

/// Replaces the value of an entry known to exist; counts are unchanged.
pub fn overwrite(tx: &TransactionalTree, entry: &Entry, value: &[u8]) -> TxResult<()> {
    tx.insert(entry.key(), value)?;
    Ok(())
}

pub fn remove(tx: &TransactionalTree, entry: &Entry) -> TxResult<()> {
    if tx.remove(entry.key())?.is_some() {
        adjust_counts(tx, entry, -1)?;
    }
    Ok(())
}

fn adjust_counts(tx: &TransactionalTree, entry: &Entry, delta: i64) -> TxResult<()> {
    for level in 1..=LEVELS {
        let key = counter_key(&entry.prefix, level, bucket(entry.ts, level));
        // A counter that does not decode is treated as zero; `rebuild` would correct it.
        let current = tx
            .get(&key)?
            .and_then(|v| decode_count(&v).ok())
            .unwrap_or(0);
        let next = current.saturating_add_signed(delta);
        if next == 0 {
            tx.remove(key)?;
        } else {
            tx.insert(key, &encode_count(next))?;
        }
    }
    Ok(())
}

/// How many entries the index holds.
pub fn len(tree: &Tree, prefix: &[u8]) -> Result<u64, StoreError> {
    match tree.get(counter_key(prefix, LEVELS, 0))? {
        Some(v) => Ok(decode_count(&v)?),
        None => Ok(0),
    }
}

/// Up to `limit` entries' values, newest first, starting `offset` entries from the newest.
pub fn newest(
    tree: &Tree,
    prefix: &[u8],
    offset: u64,
    limit: usize,
) -> Result<Vec<IVec>, StoreError> {
    let Some(start) = nth_newest_key(tree, prefix, offset)? else {
        return Ok(Vec::new());
    };
    let first = entry_key(prefix, 0, &[0; 16]);
    tree.range(first..=start.to_vec())
        .rev()
        .take(limit)
        .map(|item| item.map(|(_, v)| v).map_err(StoreError::from))
        .collect()
}

/// Up to `limit` entries' values, newest first, strictly older than the entry `(ts, id)` when
/// given: one range read from that key down, however deep it lies.
pub fn newest_before(
    tree: &Tree,
    prefix: &[u8],
    before: Option<(u32, [u8; 16])>,
    limit: usize,
) -> Result<Vec<IVec>, StoreError> {
    let first = entry_key(prefix, 0, &[0; 16]);
    let range = match before {
        Some((ts, id)) => tree.range(first..entry_key(prefix, ts, &id)),
        None => tree.range(first..=entry_key(prefix, u32::MAX, &[0xff; 16])),
    };
    range
        .rev()
        .take(limit)
        .map(|item| item.map(|(_, v)| v).map_err(StoreError::from))
        .collect()
}

/// Up to `limit` entries' values with a timestamp at or before `ts`, oldest first.
pub fn oldest_until(
    tree: &Tree,
    prefix: &[u8],
    ts: u32,
    limit: usize,
) -> Result<Vec<IVec>, StoreError> {
    let first = entry_key(prefix, 0, &[0; 16]);
    let last = entry_key(prefix, ts, &[0xff; 16]);
    tree.range(first..=last)
        .take(limit)
        .map(|item| item.map(|(_, v)| v).map_err(StoreError::from))
        .collect()
}

/// The key of the entry `offset` places from the newest, found by descending the counters.
fn nth_newest_key(tree: &Tree, prefix: &[u8], offset: u64) -> Result<Option<IVec>, StoreError> {
    if offset >= len(tree, prefix)? {
        return Ok(None);
    }
    let mut remaining = offset;
    let mut parent: u32 = 0; // the bucket at level L+1 whose children are searched
    for level in (1..LEVELS).rev() {
        let lo = parent << BITS;
        let hi = lo | ((1 << BITS) - 1);
        let mut found = None;
        for item in tree
            .range(counter_key(prefix, level, lo)..=counter_key(prefix, level, hi))
            .rev()
        {
            let (key, value) = item?;
            let count = decode_count(&value)?;
            if remaining < count {
                let bucket_bytes: [u8; 4] =
                    key[key.len() - 4..].try_into().map_err(|_| corrupt())?;
                found = Some(u32::from_be_bytes(bucket_bytes));
                break;
            }
            remaining -= count;
        }
        parent = found.ok_or_else(corrupt)?;
    }
    let lo = parent << BITS;
    let hi = lo | ((1 << BITS) - 1);
    let range = entry_key(prefix, lo, &[0; 16])..=entry_key(prefix, hi, &[0xff; 16]);
    let skip = usize::try_from(remaining).map_err(|_| corrupt())?;
    match tree.range(range).rev().nth(skip) {
        Some(item) => Ok(Some(item?.0)),
        None => Err(corrupt()),
    }
}

fn corrupt() -> StoreError {
    StoreError::Inconsistent("listing index counters disagree with its entries".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sled::Transactional;

    fn tree() -> Tree {
        sled::Config::new()
            .temporary(true)
            .open()
            .unwrap()
            .open_tree("t")
            .unwrap()
    }

    fn entry(ts: u32, n: u8) -> Entry {
        Entry {
            prefix: b"x\0".to_vec(),
            ts,
            id: [n; 16],
        }
    }

    fn put(tree: &Tree, e: &Entry) {
        tree.transaction(|tx| insert(tx, e, &[e.id[0]]).map_err(Into::into))
            .map_err(|e: sled::transaction::TransactionError<()>| e)
            .unwrap();
    }

    fn page(tree: &Tree, offset: u64, limit: usize) -> Vec<u8> {
        newest(tree, b"x\0", offset, limit)
            .unwrap()
            .iter()
            .map(|v| v[0])
            .collect()
    }

    #[test]
    fn pages_come_newest_first_at_any_depth() {
        let tree = tree();
        // Timestamps spread over many buckets and levels, some sharing a second.
        let stamps: Vec<u32> = (0..200u32)
            .map(|i| 1_500_000_000 + i * i * 977 / 3)
            .collect();
        for (n, ts) in stamps.iter().enumerate() {
            put(&tree, &entry(*ts, n as u8));
        }
        put(&tree, &entry(stamps[5], 250)); // same second as entry 5, sorts after it by id
        assert_eq!(len(&tree, b"x\0").unwrap(), 201);

        let mut expected: Vec<(u32, u8)> = stamps
            .iter()
            .enumerate()
            .map(|(n, ts)| (*ts, n as u8))
            .collect();
        expected.push((stamps[5], 250));
        expected.sort();
        expected.reverse();
        let expected: Vec<u8> = expected.into_iter().map(|(_, n)| n).collect();
        for offset in [0u64, 1, 19, 20, 100, 190, 200] {
            let want: Vec<u8> = expected
                .iter()
                .copied()
                .skip(offset as usize)
                .take(20)
                .collect();
            assert_eq!(page(&tree, offset, 20), want, "offset {offset}");
        }
        assert!(page(&tree, 201, 20).is_empty());
    }

    #[test]
    fn removing_entries_keeps_counts_right() {
        let tree = tree();
        for n in 0..10u8 {
            put(&tree, &entry(1000 + u32::from(n) * 40, n));
        }
        let t = &tree;
        (t,).transaction(|(tx,)| {
            remove(tx, &entry(1000, 0))?;
            remove(tx, &entry(1000 + 5 * 40, 5))?;
            remove(tx, &entry(1000 + 5 * 40, 5))?; // removing twice is harmless
            Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
        })
        .unwrap();
        assert_eq!(len(&tree, b"x\0").unwrap(), 8);
        assert_eq!(page(&tree, 0, 20), vec![9, 8, 7, 6, 4, 3, 2, 1]);
        assert_eq!(page(&tree, 7, 20), vec![1]);
    }

    #[test]
    fn the_extremes_of_time_are_indexable() {
        let tree = tree();
        put(&tree, &entry(0, 1));
        put(&tree, &entry(u32::MAX, 2));
        assert_eq!(page(&tree, 0, 5), vec![2, 1]);
        assert_eq!(page(&tree, 1, 5), vec![1]);
        assert_eq!(oldest_until(&tree, b"x\0", 5, 10).unwrap().len(), 1);
    }

    #[test]
    fn paging_from_a_key_continues_strictly_below_it() {
        let tree = tree();
        for n in 1..=5u8 {
            put(&tree, &entry(1000 + u32::from(n), n));
        }
        put(&tree, &entry(1003, 9)); // same second as 3, after it by id
        let values = |before| -> Vec<u8> {
            newest_before(&tree, b"x\0", before, 3)
                .unwrap()
                .iter()
                .map(|v| v[0])
                .collect()
        };
        assert_eq!(values(None), vec![5, 4, 9]);
        assert_eq!(values(Some((1003, [9; 16]))), vec![3, 2, 1]);
        assert_eq!(values(Some((1001, [1; 16]))), Vec::<u8>::new());
    }
}
