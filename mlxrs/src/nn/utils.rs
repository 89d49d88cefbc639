//! Helpers of Python's `mlx.nn.utils`: gradient averaging for data-parallel training.

use super::ParamMap;
use crate::distributed::{self, Backend, Group};
use crate::stream::with_stream;
use crate::{Array, Result, Stream, ops};

/// Python's default `all_reduce_size` of [`average_gradients`]: 32 MiB.
pub const DEFAULT_ALL_REDUCE_SIZE: i64 = 32 * 1024 * 1024;

/// Averages `gradients` over the processes of `group` (Python:
/// `mlx.nn.average_gradients(gradients, group=None, all_reduce_size=32 * 1024**2,
/// communication_stream=None)`): each gradient becomes the mean of that gradient over all
/// ranks, for data-parallel training where each rank computes gradients on its shard.
///
/// Small gradients are batched into few collectives as Python batches them: in key order,
/// gradients are flattened and concatenated into groups of at least `all_reduce_size`
/// bytes (the last one may be smaller), each group is summed with one
/// [`distributed::all_sum`], divided by the group size and split back. With
/// `all_reduce_size <= 0`, or when the gradients do not all share one dtype, every
/// gradient gets its own `all_sum`. `group: None` is MLX's global group
/// ([`distributed::init`]`(false, Backend::Any)`); in a group of size 1 the gradients are
/// returned unchanged. `communication_stream`, when given, is the stream the collectives
/// run on (else the current stream).
///
/// Every rank must pass gradients of the same names, shapes and dtypes.
///
/// # Errors
/// The collectives' errors, or MLX's error when the gradients cannot be flattened.
///
/// # Examples
/// ```
/// use mlxrs::nn::{ParamMap, average_gradients, DEFAULT_ALL_REDUCE_SIZE};
/// use mlxrs::Array;
/// let mut grads = ParamMap::new();
/// grads.insert("w".into(), Array::from_slice(&[1.0f32, 2.0], &[2])?);
/// // A process that no launcher started is alone: the average is the gradient itself.
/// let avg = average_gradients(&grads, None, DEFAULT_ALL_REDUCE_SIZE, None)?;
/// assert_eq!(avg["w"].to_vec::<f32>()?, [1.0, 2.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn average_gradients(
    gradients: &ParamMap,
    group: Option<&Group>,
    all_reduce_size: i64,
    communication_stream: Option<&Stream>,
) -> Result<ParamMap> {
    let owned;
    let group = match group {
        Some(g) => g,
        None => {
            owned = distributed::init(false, Backend::Any)?;
            &owned
        }
    };
    let n = group.size()?;
    if n == 1 {
        return Ok(gradients.clone());
    }
    let run = || average_over(gradients, group, n, all_reduce_size);
    match communication_stream {
        Some(s) => with_stream(s, run),
        None => run(),
    }
}

fn average_over(
    gradients: &ParamMap,
    group: &Group,
    n: i32,
    all_reduce_size: i64,
) -> Result<ParamMap> {
    let one_by_one = || -> Result<ParamMap> {
        gradients
            .iter()
            .map(|(k, g)| Ok((k.clone(), (&distributed::all_sum(g, Some(group))? / n)?)))
            .collect()
    };
    if all_reduce_size <= 0 {
        return one_by_one();
    }
    let Some(first) = gradients.values().next() else {
        return Ok(ParamMap::new());
    };
    let dtype = first.dtype();
    if gradients.values().any(|g| g.dtype() != dtype) {
        return one_by_one();
    }

    // Python's `_group_by_size`: close a batch once it holds `all_reduce_size` bytes.
    let entries: Vec<(&String, &Array)> = gradients.iter().collect();
    let limit = u64::try_from(all_reduce_size).unwrap_or(u64::MAX);
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut batch = Vec::new();
    let mut bytes = 0u64;
    for (i, (_, g)) in entries.iter().enumerate() {
        batch.push(i);
        bytes += (g.size() * dtype.size()) as u64;
        if bytes >= limit {
            batches.push(std::mem::take(&mut batch));
            bytes = 0;
        }
    }
    if !batch.is_empty() {
        batches.push(batch);
    }

    let mut out = ParamMap::new();
    for batch in batches {
        let flat = batch
            .iter()
            .map(|&i| ops::reshape(entries[i].1, &[-1]))
            .collect::<Result<Vec<_>>>()?;
        let big = ops::concatenate(&flat, 0)?;
        let big = (&distributed::all_sum(&big, Some(group))? / n)?;
        let mut offsets = Vec::with_capacity(batch.len().saturating_sub(1));
        let mut at = 0usize;
        for &i in &batch[..batch.len() - 1] {
            at += entries[i].1.size();
            offsets.push(i32::try_from(at).map_err(|_| {
                crate::Error::invalid(
                    "gradients",
                    format!(
                        "average_gradients: more than {} elements in one batch",
                        i32::MAX
                    ),
                )
            })?);
        }
        let parts = ops::split_sections(&big, &offsets, 0)?;
        for (&i, part) in batch.iter().zip(parts) {
            let (name, g) = entries[i];
            out.insert(name.clone(), ops::reshape(&part, g.shape())?);
        }
    }
    Ok(out)
}
