//! Rust closures as mlx-c closures: payload boxes, trampolines, and the closure handles.
//!
//! Every closure kind is built the same way: the Rust closure is boxed, the box is the
//! payload of a `*_new_func_payload` constructor, and `drop_box::<F>` (given to mlx-c as
//! the payload's destructor) is the only code that frees it, whenever MLX drops its last
//! reference. Trampolines never unwind into C++: a user `Err` or a panic is stored in the
//! thread's pending slot (mlx-c runs closures on the calling thread) and the trampoline
//! returns 1; the enclosing `mlx_call!` then returns that stored error in place of mlx-c's
//! generic "mlx_closure returned a non-zero value".

use std::ffi::{c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use mlxrs_sys as sys;

use super::call::{mlx_call, mlx_new};
use super::handle::handle;
use super::status;
use super::vector::{self, VectorArray};
#[cfg(doc)]
use crate::Error;
use crate::{Array, Result};

/// Runs a trampoline body: never unwinds, stores errors and panics for the caller.
fn guard(body: impl FnOnce() -> Result<()>) -> c_int {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            status::store_pending(e);
            1
        }
        Err(panic) => {
            status::store_panic(panic);
            1
        }
    }
}

/// The payload destructor handed to mlx-c: frees the `Box<F>` exactly once.
unsafe extern "C" fn drop_box<F>(payload: *mut c_void) {
    if payload.is_null() {
        return;
    }
    // A panicking Drop of a captured value must not unwind into C++.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `payload` is the `Box<F>` leaked by `into_payload::<F>`; mlx-c calls this
        // destructor once, when its last reference to the payload goes away.
        drop(unsafe { Box::from_raw(payload.cast::<F>()) });
    }));
}

fn into_payload<F>(f: F) -> *mut c_void {
    Box::into_raw(Box::new(f)).cast()
}

/// The payload behind a trampoline's `void*`.
///
/// # Safety
/// `payload` must be the `Box<F>` made by `into_payload::<F>`, still alive (mlx-c keeps it
/// alive while the closure can be called).
unsafe fn payload_ref<'a, F>(payload: *mut c_void) -> &'a F {
    // SAFETY: guaranteed by the caller.
    unsafe { &*payload.cast::<F>() }
}

handle! {
    /// A function of arrays as an mlx-c closure (`mlx_closure`), what MLX's transforms take.
    ///
    /// Neither `Send` nor `Sync`, like every closure handle of this module: the Rust
    /// closure inside need not be `Send`, and mlx-c calls it on the thread that applies
    /// the closure (where that thread's pending error is kept).
    ///
    /// ```
    /// use mlxrs::{Array, transforms::Closure, ops::square};
    /// let f = Closure::new(|xs: &[Array]| Ok(vec![square(&xs[0])?]))?;
    /// let y = f.apply(&[Array::from(3.0f32)])?;
    /// assert_eq!(y[0].item::<f32>()?, 9.0);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    pub struct Closure(mlx_closure) { new: mlx_closure_new, free: mlx_closure_free }
}

unsafe extern "C" fn closure_trampoline<F>(
    res: *mut sys::mlx_vector_array,
    input: sys::mlx_vector_array,
    payload: *mut c_void,
) -> c_int
where
    F: Fn(&[Array]) -> Result<Vec<Array>>,
{
    guard(|| {
        // SAFETY: mlx-c passes the payload made in `Closure::new::<F>`.
        let f = unsafe { payload_ref::<F>(payload) };
        let out = f(&vector::to_arrays(input)?)?;
        // SAFETY: `res` is mlx-c's live result vector.
        unsafe { vector::set_into(res, &out) }
    })
}

impl Closure {
    /// Wraps `f` (captured state included). MLX owns the closure from here on and frees
    /// it with its last reference, hence `'static`.
    ///
    /// # Errors
    /// Not expected in practice: [`Error::Backend`] if mlx-c cannot create the closure.
    pub fn new<F>(f: F) -> Result<Closure>
    where
        F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
    {
        // The trampoline and destructor match `F`; mlx-c owns the payload from here on
        // and frees it with `drop_box::<F>` (also when construction fails).
        mlx_new!(
            Closure,
            mlx_closure_new_func_payload(
                Some(closure_trampoline::<F>),
                into_payload(f),
                Some(drop_box::<F>)
            )
        )
    }

    /// Calls the closure through MLX.
    ///
    /// # Errors
    /// The Rust closure's own error, as it returned it; [`Error::ClosurePanicked`] if it
    /// panicked; MLX's error ([`Error::Backend`]) if MLX rejects the call.
    pub fn apply(&self, args: &[Array]) -> Result<Vec<Array>> {
        let input = VectorArray::from_arrays(args)?;
        let mut out = VectorArray::empty();
        status::clear_pending();
        mlx_call!(mlx_closure_apply(
            out.as_out(),
            self.as_raw(),
            input.as_raw()
        ))?;
        out.to_arrays()
    }
}

handle! {
    /// The function made by `mlx_value_and_grad`: returns (values, gradients).
    pub struct ClosureValueAndGrad(mlx_closure_value_and_grad) {
        new: mlx_closure_value_and_grad_new, free: mlx_closure_value_and_grad_free
    }
}

impl ClosureValueAndGrad {
    /// Calls it: `(values, gradients)`.
    ///
    /// # Errors
    /// The differentiated closure's own error, as it returned it;
    /// [`Error::ClosurePanicked`] if it panicked; MLX's error ([`Error::Backend`]) if MLX
    /// rejects the call (e.g. an argument number out of range).
    pub fn apply(&self, args: &[Array]) -> Result<(Vec<Array>, Vec<Array>)> {
        let input = VectorArray::from_arrays(args)?;
        let mut values = VectorArray::empty();
        let mut grads = VectorArray::empty();
        status::clear_pending();
        mlx_call!(mlx_closure_value_and_grad_apply(
            values.as_out(),
            grads.as_out(),
            self.as_raw(),
            input.as_raw()
        ))?;
        Ok((values.to_arrays()?, grads.to_arrays()?))
    }
}

handle! {
    /// A custom vector-Jacobian product (`mlx_closure_custom`): called with
    /// (primals, cotangents, outputs), returns one cotangent per primal.
    pub struct ClosureCustom(mlx_closure_custom) { new: mlx_closure_custom_new, free: mlx_closure_custom_free }
}

unsafe extern "C" fn custom_trampoline<F>(
    res: *mut sys::mlx_vector_array,
    primals: sys::mlx_vector_array,
    cotangents: sys::mlx_vector_array,
    outputs: sys::mlx_vector_array,
    payload: *mut c_void,
) -> c_int
where
    F: Fn(&[Array], &[Array], &[Array]) -> Result<Vec<Array>>,
{
    guard(|| {
        // SAFETY: mlx-c passes the payload made in `ClosureCustom::new::<F>`.
        let f = unsafe { payload_ref::<F>(payload) };
        // MLX calls a custom vjp with (primals, cotangents, outputs), in this order.
        let out = f(
            &vector::to_arrays(primals)?,
            &vector::to_arrays(cotangents)?,
            &vector::to_arrays(outputs)?,
        )?;
        // SAFETY: `res` is mlx-c's live result vector.
        unsafe { vector::set_into(res, &out) }
    })
}

impl ClosureCustom {
    /// Wraps `f(primals, cotangents, outputs)`.
    ///
    /// # Errors
    /// Not expected in practice: [`Error::Backend`] if mlx-c cannot create the closure.
    pub fn new<F>(f: F) -> Result<ClosureCustom>
    where
        F: Fn(&[Array], &[Array], &[Array]) -> Result<Vec<Array>> + 'static,
    {
        // The trampoline and destructor match `F`; mlx-c owns the payload from here on
        // and frees it with `drop_box::<F>` (also when construction fails).
        mlx_new!(
            ClosureCustom,
            mlx_closure_custom_new_func_payload(
                Some(custom_trampoline::<F>),
                into_payload(f),
                Some(drop_box::<F>)
            )
        )
    }
}

handle! {
    /// A custom Jacobian-vector product (`mlx_closure_custom_jvp`): called with
    /// (primals, tangents, argnums), returns one tangent per output.
    pub struct ClosureCustomJvp(mlx_closure_custom_jvp) {
        new: mlx_closure_custom_jvp_new, free: mlx_closure_custom_jvp_free
    }
}

unsafe extern "C" fn custom_jvp_trampoline<F>(
    res: *mut sys::mlx_vector_array,
    primals: sys::mlx_vector_array,
    tangents: sys::mlx_vector_array,
    argnums: *const c_int,
    argnums_num: usize,
    payload: *mut c_void,
) -> c_int
where
    F: Fn(&[Array], &[Array], &[i32]) -> Result<Vec<Array>>,
{
    guard(|| {
        // SAFETY: mlx-c passes the payload made in `ClosureCustomJvp::new::<F>`.
        let f = unsafe { payload_ref::<F>(payload) };
        let argnums = if argnums.is_null() || argnums_num == 0 {
            &[][..]
        } else {
            // SAFETY: mlx-c passes `argnums_num` ints at `argnums`, valid for the call.
            unsafe { std::slice::from_raw_parts(argnums, argnums_num) }
        };
        let out = f(
            &vector::to_arrays(primals)?,
            &vector::to_arrays(tangents)?,
            argnums,
        )?;
        // SAFETY: `res` is mlx-c's live result vector.
        unsafe { vector::set_into(res, &out) }
    })
}

impl ClosureCustomJvp {
    /// Wraps `f(primals, tangents, argnums)`.
    ///
    /// # Errors
    /// Not expected in practice: [`Error::Backend`] if mlx-c cannot create the closure.
    pub fn new<F>(f: F) -> Result<ClosureCustomJvp>
    where
        F: Fn(&[Array], &[Array], &[i32]) -> Result<Vec<Array>> + 'static,
    {
        // The trampoline and destructor match `F`; mlx-c owns the payload from here on
        // and frees it with `drop_box::<F>` (also when construction fails).
        mlx_new!(
            ClosureCustomJvp,
            mlx_closure_custom_jvp_new_func_payload(
                Some(custom_jvp_trampoline::<F>),
                into_payload(f),
                Some(drop_box::<F>)
            )
        )
    }
}

handle! {
    /// A custom vmap rule (`mlx_closure_custom_vmap`): called with (inputs, the mapped
    /// axis of each input, `-1` for none), returns the outputs and the mapped axis of
    /// each output.
    pub struct ClosureCustomVmap(mlx_closure_custom_vmap) {
        new: mlx_closure_custom_vmap_new, free: mlx_closure_custom_vmap_free
    }
}

unsafe extern "C" fn custom_vmap_trampoline<F>(
    res: *mut sys::mlx_vector_array,
    res_axes: *mut sys::mlx_vector_int,
    inputs: sys::mlx_vector_array,
    axes: *const c_int,
    axes_num: usize,
    payload: *mut c_void,
) -> c_int
where
    F: Fn(&[Array], &[Option<i32>]) -> Result<(Vec<Array>, Vec<Option<i32>>)>,
{
    guard(|| {
        // SAFETY: mlx-c passes the payload made in `ClosureCustomVmap::new::<F>`.
        let f = unsafe { payload_ref::<F>(payload) };
        let axes = if axes.is_null() || axes_num == 0 {
            &[][..]
        } else {
            // SAFETY: mlx-c passes `axes_num` ints at `axes`, valid for the call.
            unsafe { std::slice::from_raw_parts(axes, axes_num) }
        };
        let axes: Vec<Option<i32>> = axes.iter().map(|&a| (a >= 0).then_some(a)).collect();
        let (out, out_axes) = f(&vector::to_arrays(inputs)?, &axes)?;
        let mut out_axes: Vec<c_int> = out_axes.iter().map(|a| a.unwrap_or(-1)).collect();
        // SAFETY: `res` is mlx-c's live result vector.
        unsafe { vector::set_into(res, &out) }?;
        mlx_call!(mlx_vector_int_set_data(
            res_axes,
            out_axes.as_mut_ptr(),
            out_axes.len()
        ))
    })
}

impl ClosureCustomVmap {
    /// Wraps `f(inputs, axes) -> (outputs, out_axes)`.
    ///
    /// # Errors
    /// Not expected in practice: [`Error::Backend`] if mlx-c cannot create the closure.
    pub fn new<F>(f: F) -> Result<ClosureCustomVmap>
    where
        F: Fn(&[Array], &[Option<i32>]) -> Result<(Vec<Array>, Vec<Option<i32>>)> + 'static,
    {
        // The trampoline and destructor match `F`; mlx-c owns the payload from here on
        // and frees it with `drop_box::<F>` (also when construction fails).
        mlx_new!(
            ClosureCustomVmap,
            mlx_closure_custom_vmap_new_func_payload(
                Some(custom_vmap_trampoline::<F>),
                into_payload(f),
                Some(drop_box::<F>)
            )
        )
    }
}

handle! {
    /// A function of positional and keyword arrays (`mlx_closure_kwargs`), what MLX's
    /// function export takes: called with (args, kwargs), returns the outputs.
    pub struct ClosureKwargs(mlx_closure_kwargs) {
        new: mlx_closure_kwargs_new, free: mlx_closure_kwargs_free
    }
}

unsafe extern "C" fn kwargs_trampoline<F>(
    res: *mut sys::mlx_vector_array,
    args: sys::mlx_vector_array,
    kwargs: sys::mlx_map_string_to_array,
    payload: *mut c_void,
) -> c_int
where
    F: Fn(&[Array], &std::collections::HashMap<String, Array>) -> Result<Vec<Array>>,
{
    guard(|| {
        // SAFETY: mlx-c passes the payload made in `ClosureKwargs::new::<F>`.
        let f = unsafe { payload_ref::<F>(payload) };
        // +1 copies of both inputs; `args` and `kwargs` stay MLX's.
        let out = f(&vector::to_arrays(args)?, &super::map::arrays_of(kwargs)?)?;
        // SAFETY: `res` is mlx-c's live result vector.
        unsafe { vector::set_into(res, &out) }
    })
}

impl ClosureKwargs {
    /// Wraps `f(args, kwargs)`. MLX owns the closure from here on, hence `'static`.
    ///
    /// # Errors
    /// Not expected in practice: [`Error::Backend`] if mlx-c cannot create the closure.
    pub fn new<F>(f: F) -> Result<ClosureKwargs>
    where
        F: Fn(&[Array], &std::collections::HashMap<String, Array>) -> Result<Vec<Array>> + 'static,
    {
        // The trampoline and destructor match `F`; mlx-c owns the payload from here on
        // and frees it with `drop_box::<F>` (also when construction fails).
        mlx_new!(
            ClosureKwargs,
            mlx_closure_kwargs_new_func_payload(
                Some(kwargs_trampoline::<F>),
                into_payload(f),
                Some(drop_box::<F>)
            )
        )
    }
}
