//! Function transforms: automatic differentiation, checkpointing, compilation,
//! vectorization, and evaluation.
//!
//! A transform takes an ordinary Rust closure `Fn(&[Array]) -> Result<Vec<Array>>` (it may
//! capture arrays and other state; captured arrays are constants of the transform) and
//! returns an ordinary Rust callable that owns everything it needs (`'static`). So results
//! compose to any depth (`grad` of `grad`), can be returned from functions and moved into
//! other closures. Each transform builds its mlx-c closure once, when it is made.
//!
//! Errors and panics inside the user's closure come back from the outer call as that
//! very error (or [`Error::ClosurePanicked`] with the panic message), also through nested
//! transforms and custom vjps.
//!
//! ```
//! use mlxrs::{Array, ops::{multiply, sum}, transforms::{grad, value_and_grad}};
//! // f(x) = sum(x * x); df/dx = 2x
//! let f = |xs: &[Array]| Ok(vec![sum(&multiply(&xs[0], &xs[0])?, false)?]);
//! let (values, grads) = value_and_grad(f, &[0])?(&[Array::from_slice(&[1.0f32, 2.0], &[2])?])?;
//! assert_eq!(values[0].item::<f32>()?, 5.0);
//! assert_eq!(grads[0].to_vec::<f32>()?, vec![2.0, 4.0]);
//! // Second derivative of x³ at 2: 12
//! let d = grad(|xs: &[Array]| Ok(vec![mlxrs::ops::power(&xs[0], &Array::from(3.0f32))?]), &[0])?;
//! let dd = grad(move |xs: &[Array]| d(xs), &[0])?;
//! assert_eq!(dd(&[Array::from(2.0f32)])?[0].item::<f32>()?, 12.0);
//! # Ok::<(), mlxrs::Error>(())
//! ```

use crate::ffi::closure::{
    ClosureCustom, ClosureCustomJvp, ClosureCustomVmap, ClosureValueAndGrad,
};
use crate::ffi::{self, VectorArray, mlx_call};
use crate::{Array, Error, Result};

pub use crate::ffi::closure::Closure;

/// Evaluates the arrays (and the graphs they depend on) now; an empty slice does nothing.
///
/// ```
/// use mlxrs::{Array, ops::add, transforms::eval};
/// let a = Array::from(1.0f32);
/// let b = add(&a, &a)?;
/// eval(&[&b])?;
/// eval(&[])?;
/// # Ok::<(), mlxrs::Error>(())
/// ```
///
/// # Errors
/// MLX's error ([`Error::Backend`]) when evaluation fails, e.g. for a lazy array built on
/// another thread, or when called inside a [`compile`]d or [`vmap`]ped closure on an
/// array that depends on the closure's inputs ("\[eval\] Attempting to eval an array
/// during function transformations like compile or vmap is not allowed.").
pub fn eval(arrays: &[&Array]) -> Result<()> {
    if arrays.is_empty() {
        return Ok(());
    }
    let v = VectorArray::from_refs(arrays)?;
    mlx_call!(mlx_eval(v.as_raw()))
}

/// Starts evaluating the arrays in the background and returns at once; reading them
/// (`item`, `to_vec`, [`eval`]) waits for the result. An empty slice does nothing.
///
/// # Errors
/// As for [`eval`]; inside any transform's closure, on arrays that depend on the
/// closure's inputs, MLX's error is "\[async_eval\] Not allowed inside a graph
/// transformation.". Failures of the background work itself are reported when the
/// arrays are read.
pub fn async_eval(arrays: &[&Array]) -> Result<()> {
    if arrays.is_empty() {
        return Ok(());
    }
    let v = VectorArray::from_refs(arrays)?;
    mlx_call!(mlx_async_eval(v.as_raw()))
}

/// What [`value_and_grad`]'s function returns: the function's outputs, and one gradient
/// per argnum.
pub type ValuesAndGrads = (Vec<Array>, Vec<Array>);

/// Checks argnums up front: non-empty, non-negative, no duplicates.
fn validate_argnums(transform: &'static str, argnums: &[i32]) -> Result<()> {
    if argnums.is_empty() {
        return Err(Error::empty_input(format!("{transform}: argnums")));
    }
    for (i, &a) in argnums.iter().enumerate() {
        if a < 0 {
            return Err(Error::invalid(
                "argnums",
                format!("{transform}: argument index {a} is negative"),
            ));
        }
        if argnums[..i].contains(&a) {
            return Err(Error::invalid(
                "argnums",
                format!("{transform}: argument index {a} appears more than once in {argnums:?}"),
            ));
        }
    }
    Ok(())
}

fn check_arity(transform: &'static str, argnums: &[i32], nargs: usize) -> Result<()> {
    if let Some(&bad) = argnums.iter().find(|&&a| a as usize >= nargs) {
        return Err(Error::invalid(
            "argnums",
            format!(
                "{transform}: argument index {bad} is out of range for a call with {nargs} arguments"
            ),
        ));
    }
    Ok(())
}

/// `value_and_grad(f, argnums)`: a function returning `(f(args), gradients of f's first
/// output with respect to args[argnums])`. The first output must be a scalar; further
/// outputs are auxiliary, as in Python's `(loss, aux)` convention: returned among the
/// values, not differentiated (JAX's `has_aux=True`).
///
/// # Errors
/// [`Error::EmptyInput`] (context "value_and_grad: argnums") for empty `argnums`,
/// [`Error::InvalidArgument`] for negative or repeated ones. The returned function fails
/// with [`Error::InvalidArgument`] for an argnum out of range for its arguments or a first
/// output that is not a scalar (shape `()`), and passes on `f`'s own error as is
/// ([`Error::ClosurePanicked`] if `f` panics).
pub fn value_and_grad<F>(
    f: F,
    argnums: &[i32],
) -> Result<impl Fn(&[Array]) -> Result<ValuesAndGrads> + 'static>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
{
    make_value_and_grad("value_and_grad", f, argnums, false)
}

/// `single_output`: [`grad`]'s rule, which (as Python's `mx.grad`) refuses a function
/// with outputs beyond the scalar it differentiates.
fn make_value_and_grad<F>(
    name: &'static str,
    f: F,
    argnums: &[i32],
    single_output: bool,
) -> Result<impl Fn(&[Array]) -> Result<ValuesAndGrads> + 'static>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
{
    validate_argnums(name, argnums)?;
    // MLX differentiates the first output; a function with none would silently give
    // zero gradients.
    let closure = Closure::new(move |xs: &[Array]| {
        let out = f(xs)?;
        let Some(first) = out.first() else {
            return Err(Error::invalid(
                "f",
                format!(
                    "{name}: the function returned no outputs; a gradient needs a scalar first output"
                ),
            ));
        };
        if single_output && out.len() > 1 {
            return Err(Error::invalid(
                "f",
                format!(
                    "{name}: the function returned {} outputs; it must return one scalar \
                     (use value_and_grad for auxiliary outputs)",
                    out.len()
                ),
            ));
        }
        // MLX would report this as a cotangent mismatch inside `vjp`; name the transform.
        if first.ndim() != 0 {
            return Err(Error::invalid(
                "f",
                format!(
                    "{name}: the function's first output must be a scalar (shape ()), got shape {:?}",
                    first.shape()
                ),
            ));
        }
        Ok(out)
    })?;
    let mut vag = ClosureValueAndGrad::empty();
    mlx_call!(mlx_value_and_grad(
        vag.as_out(),
        closure.as_raw(),
        argnums.as_ptr(),
        argnums.len()
    ))?;
    let argnums = argnums.to_vec();
    Ok(move |args: &[Array]| {
        check_arity(name, &argnums, args.len())?;
        vag.apply(args)
    })
}

/// `grad(f, argnums)`: a function returning the gradients of `f`'s output, a scalar, with
/// respect to `args[argnums]`, one per argnum.
///
/// As in Python (`mx.grad` raises for a tuple), `f` must return exactly one array: a
/// function with auxiliary outputs goes through [`value_and_grad`], which returns them
/// with the value.
///
/// # Errors
/// As [`value_and_grad`], with "grad" in the messages; also [`Error::InvalidArgument`]
/// (`f`) when `f` returns more than one output.
pub fn grad<F>(f: F, argnums: &[i32]) -> Result<impl Fn(&[Array]) -> Result<Vec<Array>> + 'static>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
{
    let vag = make_value_and_grad("grad", f, argnums, true)?;
    Ok(move |args: &[Array]| vag(args).map(|(_, g)| g))
}

/// Vector-Jacobian product: `(f(primals), cotangents · J)`, one result per primal.
///
/// # Errors
/// `f`'s own error as is ([`Error::ClosurePanicked`] if it panics); MLX's error
/// ([`Error::Backend`]) when `cotangents` do not match `f`'s outputs in number or shape.
pub fn vjp<F>(f: F, primals: &[Array], cotangents: &[Array]) -> Result<(Vec<Array>, Vec<Array>)>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
{
    let closure = Closure::new(f)?;
    let p = VectorArray::from_arrays(primals)?;
    let c = VectorArray::from_arrays(cotangents)?;
    let mut outs = VectorArray::empty();
    let mut vjps = VectorArray::empty();
    ffi::status::clear_pending();
    mlx_call!(mlx_vjp(
        outs.as_out(),
        vjps.as_out(),
        closure.as_raw(),
        p.as_raw(),
        c.as_raw()
    ))?;
    Ok((outs.to_arrays()?, vjps.to_arrays()?))
}

/// Jacobian-vector product: `(f(primals), J · tangents)`, one result per output.
///
/// # Errors
/// `f`'s own error as is ([`Error::ClosurePanicked`] if it panics); MLX's error
/// ([`Error::Backend`]) when `tangents` do not match `primals` in number or shape.
pub fn jvp<F>(f: F, primals: &[Array], tangents: &[Array]) -> Result<(Vec<Array>, Vec<Array>)>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
{
    let closure = Closure::new(f)?;
    let p = VectorArray::from_arrays(primals)?;
    let t = VectorArray::from_arrays(tangents)?;
    let mut outs = VectorArray::empty();
    let mut jvps = VectorArray::empty();
    ffi::status::clear_pending();
    mlx_call!(mlx_jvp(
        outs.as_out(),
        jvps.as_out(),
        closure.as_raw(),
        p.as_raw(),
        t.as_raw()
    ))?;
    Ok((outs.to_arrays()?, jvps.to_arrays()?))
}

/// Wraps an mlx-c closure made by a transform as a Rust callable.
fn callable(closure: Closure) -> impl Fn(&[Array]) -> Result<Vec<Array>> + 'static {
    move |args: &[Array]| closure.apply(args)
}

/// `forward` with a hand-written vector-Jacobian product: `backward(primals, cotangents,
/// outputs)` returns one cotangent per primal.
///
/// ```
/// use mlxrs::{Array, ops::square, transforms::{custom_vjp, grad}};
/// // square, but claim its derivative is 42 everywhere
/// let f = custom_vjp(
///     |xs: &[Array]| Ok(vec![square(&xs[0])?]),
///     |primals: &[Array], _cot: &[Array], _out: &[Array]| Ok(vec![Array::full::<f32>(primals[0].shape(), 42.0)?]),
/// )?;
/// let g = grad(f, &[0])?;
/// assert_eq!(g(&[Array::from(3.0f32)])?[0].item::<f32>()?, 42.0);
/// # Ok::<(), mlxrs::Error>(())
/// ```
///
/// # Errors
/// Not expected in practice: [`Error::Backend`] if mlx-c cannot create the closures.
/// Errors of `forward` and `backward` come back from calls of the returned function (and
/// of transforms of it).
pub fn custom_vjp<F, B>(
    forward: F,
    backward: B,
) -> Result<impl Fn(&[Array]) -> Result<Vec<Array>> + 'static>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
    B: Fn(&[Array], &[Array], &[Array]) -> Result<Vec<Array>> + 'static,
{
    let fwd = Closure::new(with_outputs("custom_vjp", forward))?;
    let bwd = ClosureCustom::new(backward)?;
    let mut out = Closure::empty();
    mlx_call!(mlx_custom_vjp(out.as_out(), fwd.as_raw(), bwd.as_raw()))?;
    Ok(callable(out))
}

/// A function with optional custom vjp and jvp rules ([`custom_function`]'s builder).
pub struct CustomFunction {
    forward: Closure,
    vjp: Option<ClosureCustom>,
    jvp: Option<ClosureCustomJvp>,
    vmap: Option<ClosureCustomVmap>,
}

/// Starts a [`CustomFunction`] from `forward`; add rules with [`CustomFunction::vjp`] and
/// [`CustomFunction::jvp`], then [`CustomFunction::build`].
///
/// ```
/// use mlxrs::{Array, ops::{multiply, sin}, transforms::{custom_function, grad, jvp}};
/// let f = custom_function(|xs: &[Array]| Ok(vec![sin(&xs[0])?]))?
///     .vjp(|_p: &[Array], c: &[Array], _o: &[Array]| Ok(vec![multiply(&c[0], &Array::from(2.0f32))?]))?
///     .jvp(|_p: &[Array], t: &[Array], _argnums: &[i32]| Ok(vec![multiply(&t[0], &Array::from(3.0f32))?]))?
///     .build()?;
/// let f = std::rc::Rc::new(f);
/// let f2 = f.clone();
/// let g = grad(move |xs: &[Array]| f2(xs), &[0])?;
/// assert_eq!(g(&[Array::from(0.5f32)])?[0].item::<f32>()?, 2.0);
/// let (_, t) = jvp(move |xs: &[Array]| f(xs), &[Array::from(0.5f32)], &[Array::from(1.0f32)])?;
/// assert_eq!(t[0].item::<f32>()?, 3.0);
/// # Ok::<(), mlxrs::Error>(())
/// ```
///
/// # Errors
/// Not expected in practice: [`Error::Backend`] if mlx-c cannot create the closure.
pub fn custom_function<F>(forward: F) -> Result<CustomFunction>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
{
    Ok(CustomFunction {
        forward: Closure::new(with_outputs("custom_function", forward))?,
        vjp: None,
        jvp: None,
        vmap: None,
    })
}

impl CustomFunction {
    /// The vector-Jacobian rule: `(primals, cotangents, outputs) -> cotangent per primal`.
    ///
    /// # Errors
    /// Not expected in practice: [`Error::Backend`] if mlx-c cannot create the closure.
    pub fn vjp<B>(mut self, backward: B) -> Result<Self>
    where
        B: Fn(&[Array], &[Array], &[Array]) -> Result<Vec<Array>> + 'static,
    {
        self.vjp = Some(ClosureCustom::new(backward)?);
        Ok(self)
    }

    /// The Jacobian-vector rule: `(primals, tangents, argnums) -> tangent per output`,
    /// where `tangents[i]` belongs to primal `argnums[i]`.
    ///
    /// # Errors
    /// Not expected in practice: [`Error::Backend`] if mlx-c cannot create the closure.
    pub fn jvp<J>(mut self, rule: J) -> Result<Self>
    where
        J: Fn(&[Array], &[Array], &[i32]) -> Result<Vec<Array>> + 'static,
    {
        self.jvp = Some(ClosureCustomJvp::new(rule)?);
        Ok(self)
    }

    /// The vmap rule (Python: `@f.vmap`): `(inputs, axes) -> (outputs, out_axes)`, where
    /// `axes[i]` is the mapped axis of input `i` (`None`: not mapped) and `out_axes[j]`
    /// the mapped axis of output `j` in the batched outputs it returns.
    ///
    /// ```
    /// use mlxrs::{Array, ops::{multiply, sin}, transforms::{custom_function, vmap}};
    /// // a rule that (visibly) computes 2 * sin(x) instead of sin(x) when mapped
    /// let f = custom_function(|xs: &[Array]| Ok(vec![sin(&xs[0])?]))?
    ///     .vmap(|xs: &[Array], axes: &[Option<i32>]| {
    ///         Ok((vec![multiply(&sin(&xs[0])?, &Array::from(2.0f32))?], axes.to_vec()))
    ///     })?
    ///     .build()?;
    /// let x = Array::from_slice(&[0.5f32, -0.5], &[2])?;
    /// let y = vmap(f, 0, 0)?(&[x])?[0].to_vec::<f32>()?;
    /// assert!((y[0] - 2.0 * 0.5f32.sin()).abs() < 1e-6 && (y[1] + 2.0 * 0.5f32.sin()).abs() < 1e-6);
    /// # Ok::<(), mlxrs::Error>(())
    /// ```
    ///
    /// # Errors
    /// Not expected in practice: [`Error::Backend`] if mlx-c cannot create the closure.
    pub fn vmap<V>(mut self, rule: V) -> Result<Self>
    where
        V: Fn(&[Array], &[Option<i32>]) -> Result<(Vec<Array>, Vec<Option<i32>>)> + 'static,
    {
        self.vmap = Some(ClosureCustomVmap::new(rule)?);
        Ok(self)
    }

    /// The function with its rules.
    ///
    /// # Errors
    /// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
    /// Errors of the forward function and the rules come back from calls of the returned
    /// function (and of transforms of it).
    pub fn build(self) -> Result<impl Fn(&[Array]) -> Result<Vec<Array>> + 'static> {
        let empty_vjp = ClosureCustom::empty();
        let empty_jvp = ClosureCustomJvp::empty();
        let vjp = self.vjp.as_ref().unwrap_or(&empty_vjp);
        let jvp = self.jvp.as_ref().unwrap_or(&empty_jvp);
        let vmap = match &self.vmap {
            Some(rule) => rule.as_raw(),
            None => ffi::no_custom_vmap(),
        };
        let mut out = Closure::empty();
        mlx_call!(mlx_custom_function(
            out.as_out(),
            self.forward.as_raw(),
            vjp.as_raw(),
            jvp.as_raw(),
            vmap
        ))?;
        Ok(callable(out))
    }
}

/// `f`, answering an `Err` naming `op` where it returns no arrays: MLX 0.32's custom
/// transforms (`custom_vjp`, `checkpoint`) read the first output and crash (SIGSEGV)
/// on none.
fn with_outputs<F>(op: &'static str, f: F) -> impl Fn(&[Array]) -> Result<Vec<Array>> + 'static
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
{
    move |x: &[Array]| {
        let out = f(x)?;
        if out.is_empty() {
            return Err(Error::invalid(
                "f",
                format!("{op}: the function returned no arrays; it must return at least one"),
            ));
        }
        Ok(out)
    }
}

/// `f`, recomputing its intermediate values during the backward pass instead of storing
/// them (gradient checkpointing): same values and gradients, less memory.
///
/// # Errors
/// Not expected in practice: [`Error::Backend`] if mlx-c cannot create the closures.
/// Errors of `f` come back from calls of the returned function.
pub fn checkpoint<F>(f: F) -> Result<impl Fn(&[Array]) -> Result<Vec<Array>> + 'static>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
{
    let inner = Closure::new(with_outputs("checkpoint", f))?;
    let mut out = Closure::empty();
    mlx_call!(mlx_checkpoint(out.as_out(), inner.as_raw()))?;
    Ok(callable(out))
}

/// `f` compiled: MLX traces it on the first call (per input shapes and dtypes), fuses and
/// simplifies the graph, and reuses the result. With `shapeless`, a new input shape does
/// not retrace. Captured arrays are constants of the compiled graph. On the CPU, MLX
/// generates C++ and builds it with the system compiler (cached under the temp dir).
///
/// ```
/// use mlxrs::{Array, ops::{exp, multiply}, transforms::compile};
/// let scale = Array::from(3.0f32);
/// let f = compile(move |xs: &[Array]| Ok(vec![multiply(&exp(&xs[0])?, &scale)?]), false)?;
/// assert_eq!(f(&[Array::from(0.0f32)])?[0].item::<f32>()?, 3.0);
/// # Ok::<(), mlxrs::Error>(())
/// ```
///
/// # Errors
/// Not expected in practice: [`Error::Backend`] if mlx-c cannot create the closures.
/// Errors of `f` come back from calls of the returned function (MLX traces `f` on the
/// first call).
pub fn compile<F>(
    f: F,
    shapeless: bool,
) -> Result<impl Fn(&[Array]) -> Result<Vec<Array>> + 'static>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
{
    let inner = Closure::new(f)?;
    let mut out = Closure::empty();
    mlx_call!(mlx_compile(out.as_out(), inner.as_raw(), shapeless))?;
    Ok(callable(out))
}

/// Turns compilation on globally (the default).
///
/// # Errors
/// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
pub fn enable_compile() -> Result<()> {
    mlx_call!(mlx_enable_compile())
}

/// Turns compilation off globally: a [`compile`] called while it is off returns the
/// function uncompiled (it runs the closure on every call, also after [`enable_compile`]).
/// Functions compiled before keep running compiled: mlx-c's `mlx_compile` checks the
/// mode when it makes the function, whereas Python's `mx.compile` checks it on every call.
///
/// # Errors
/// Not expected in practice: only if mlx-c reports a failure ([`Error::Backend`]).
pub fn disable_compile() -> Result<()> {
    mlx_call!(mlx_disable_compile())
}

/// Arrays that a [`compile_with_state`] function reads or writes besides its arguments:
/// the Rust form of the lists Python passes as `mx.compile(f, inputs=state,
/// outputs=state)` (a model's parameters, an optimizer's state, a random key).
///
/// A shared, mutable list: clones share it (like a Python list held by the function and
/// by its caller). The function reads the slots with [`get`](Self::get) and writes them
/// with [`set`](Self::set) as if they were ordinary captured arrays; the compiled
/// function passes them in as inputs and takes the written values out as outputs, so
/// every call sees the current values, not constants of the first trace. Not `Send`,
/// like [`Array`].
///
/// ```
/// use mlxrs::{Array, ops::{add, multiply}, transforms::{CompileState, compile_with_state}};
/// let count = CompileState::new(vec![Array::from(0.0f32)]);
/// let c = count.clone();
/// let f = compile_with_state(
///     move |x: &[Array]| {
///         c.set(0, add(&c.get(0)?, &Array::from(1.0f32))?)?;
///         Ok(vec![multiply(&x[0], &c.get(0)?)?])
///     },
///     Some(&count),
///     Some(&count),
///     false,
/// )?;
/// assert_eq!(f(&[Array::from(2.0f32)])?[0].item::<f32>()?, 2.0);
/// assert_eq!(f(&[Array::from(2.0f32)])?[0].item::<f32>()?, 4.0);
/// assert_eq!(count.get(0)?.item::<f32>()?, 2.0);
/// # Ok::<(), mlxrs::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct CompileState {
    slots: std::rc::Rc<std::cell::RefCell<Vec<Array>>>,
}

impl std::fmt::Debug for CompileState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompileState")
            .field("len", &self.len())
            .finish()
    }
}

impl CompileState {
    /// A state holding `arrays`, in order.
    pub fn new(arrays: Vec<Array>) -> Self {
        CompileState {
            slots: std::rc::Rc::new(std::cell::RefCell::new(arrays)),
        }
    }

    /// The number of arrays.
    pub fn len(&self) -> usize {
        self.slots.borrow().len()
    }

    /// Whether the state holds no array.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The array in slot `i` (a cheap clone sharing its buffer).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming `i` when it is not below [`len`](Self::len).
    pub fn get(&self, i: usize) -> Result<Array> {
        let slots = self.slots.borrow();
        slots
            .get(i)
            .cloned()
            .ok_or_else(|| Self::out_of_range("get", i, slots.len()))
    }

    /// Replaces the array in slot `i`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming `i` when it is not below [`len`](Self::len).
    pub fn set(&self, i: usize, array: Array) -> Result<()> {
        let mut slots = self.slots.borrow_mut();
        let n = slots.len();
        *slots
            .get_mut(i)
            .ok_or_else(|| Self::out_of_range("set", i, n))? = array;
        Ok(())
    }

    /// Every array, in order.
    pub fn arrays(&self) -> Vec<Array> {
        self.slots.borrow().clone()
    }

    fn out_of_range(what: &str, i: usize, n: usize) -> Error {
        Error::invalid(
            "i",
            format!("CompileState::{what}: slot {i} of a state of {n} arrays"),
        )
    }

    /// Replaces the arrays, one per slot (extra arrays are ignored).
    fn fill(&self, arrays: Vec<Array>) {
        let mut slots = self.slots.borrow_mut();
        for (slot, a) in slots.iter_mut().zip(arrays) {
            *slot = a;
        }
    }
}

/// `f` compiled with captured state: Python's `mx.compile(f, inputs=..., outputs=...,
/// shapeless=...)`. The arrays of `inputs` are passed to the compiled graph as extra
/// inputs on every call (so `f` sees their current values, not constants of the first
/// trace), and after every call the arrays of `outputs` are set to what `f` left in them
/// (computed by the compiled graph, also on the calls that do not run `f`). Inside `f`,
/// read and write the state through [`CompileState::get`] and [`CompileState::set`]; one
/// `CompileState` may be both `inputs` and `outputs` (the usual case: a model and its
/// optimizer state, or a random key that each call splits). What `f` writes into a state
/// that is only `inputs` is not kept: after the trace, the state holds its own arrays
/// again (Python leaves there what `f` wrote, arrays of the trace).
///
/// MLX's global random generator (Python's `mx.random.state`) is not reachable through
/// mlx-c, so draws with `key: None` inside a compiled function are constants of the trace,
/// as in Python without `inputs=mx.random.state`: carry a key in the state and split it
/// with [`random::split_pair`](crate::random::split_pair) instead (the example below).
///
/// # Errors
/// Not expected when it is made ([`Error::Backend`] if mlx-c cannot create the closures).
/// A call returns the errors of `f` (MLX traces `f` on the first call and whenever the
/// input shapes change); after such an error the state holds the arrays it held before
/// the call.
///
/// # Examples
/// A random key carried through the state: each call draws new numbers.
/// ```
/// use mlxrs::{Array, Dtype, random, transforms::{CompileState, compile_with_state}};
/// let key = CompileState::new(vec![random::key(7)?]);
/// let k = key.clone();
/// let noisy = compile_with_state(
///     move |x: &[Array]| {
///         let (next, sub) = random::split_pair(&k.get(0)?)?;
///         k.set(0, next)?;
///         Ok(vec![(&x[0] + &random::uniform(&Array::from(0.0f32), &Array::from(1.0f32), &[3], Dtype::Float32, Some(&sub))?)?])
///     },
///     Some(&key),
///     Some(&key),
///     false,
/// )?;
/// let zeros = Array::zeros(&[3], Dtype::Float32)?;
/// let a = noisy(&[zeros.clone()])?[0].to_vec::<f32>()?;
/// let b = noisy(&[zeros])?[0].to_vec::<f32>()?;
/// assert_ne!(a, b);
/// # Ok::<(), mlxrs::Error>(())
/// ```
pub fn compile_with_state<F>(
    f: F,
    inputs: Option<&CompileState>,
    outputs: Option<&CompileState>,
    shapeless: bool,
) -> Result<impl Fn(&[Array]) -> Result<Vec<Array>> + 'static>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
{
    let inputs = inputs.cloned();
    let outputs = outputs.cloned();
    // The number of `f`'s own outputs, recorded at each trace (Python's `num_outputs`).
    let own_outputs = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let traced = {
        let (inputs, outputs, own_outputs) = (inputs.clone(), outputs.clone(), own_outputs.clone());
        move |all: &[Array]| -> Result<Vec<Array>> {
            let k = inputs.as_ref().map_or(0, CompileState::len).min(all.len());
            let (args, tracers) = all.split_at(all.len() - k);
            let before = outputs.as_ref().map(CompileState::arrays);
            // `f` reads the tracers from the state; afterwards the state gets its own
            // arrays back (a tracer means nothing outside the trace).
            let originals = inputs.as_ref().map(|s| {
                let o = s.arrays();
                s.fill(tracers.to_vec());
                o
            });
            let ran = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(args))) {
                Ok(r) => r,
                Err(panic) => {
                    // Restore before the panic goes on (the trampoline reports it).
                    if let (Some(s), Some(o)) = (&inputs, originals) {
                        s.fill(o);
                    }
                    std::panic::resume_unwind(panic)
                }
            };
            let result = ran.map(|mut out| {
                own_outputs.set(out.len());
                if let Some(s) = &outputs {
                    out.extend(s.arrays());
                }
                out
            });
            if let (Some(s), Some(o)) = (&inputs, originals) {
                s.fill(o);
            }
            // After a failed trace, what `f` wrote into `outputs` is dropped too.
            if let (Err(_), Some(s), Some(b)) = (&result, &outputs, before) {
                s.fill(b);
            }
            result
        }
    };
    let compiled = compile(traced, shapeless)?;
    Ok(move |args: &[Array]| {
        let mut all = args.to_vec();
        if let Some(s) = &inputs {
            all.extend(s.arrays());
        }
        let mut out = compiled(&all)?;
        if let Some(s) = &outputs {
            // The trailing outputs are the state's, one per slot (a state never changes
            // size).
            s.fill(out.split_off(own_outputs.get().min(out.len())));
        }
        Ok(out)
    })
}

/// The `in_axes` or `out_axes` of [`vmap`], as Python accepts them: one axis for every
/// argument (output), or one entry per argument (output). An axis may be negative
/// (counted from the end); `None` marks an argument that is not mapped (passed whole to
/// every call). Outputs must all be mapped, as in Python.
///
/// Built by conversion: `0` or `Some(0)` or `None` (one for all), `&[0, 1]`, `[0, 1]` or
/// `vec![0, 1]` (every entry mapped), `&[Some(0), None]` and the like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VmapAxes {
    /// The same axis (or `None`: not mapped) for every argument or output; Python's
    /// `in_axes=0`.
    All(Option<i32>),
    /// One axis (or `None`) per argument or output; Python's `in_axes=(0, None)`.
    Each(Vec<Option<i32>>),
}

impl VmapAxes {
    /// One entry per argument (output), `what` naming the parameter in errors.
    fn per_item(&self, what: &'static str, n: usize, items: &str) -> Result<Vec<Option<i32>>> {
        match self {
            VmapAxes::All(axis) => Ok(vec![*axis; n]),
            VmapAxes::Each(axes) if axes.len() == n => Ok(axes.clone()),
            VmapAxes::Each(axes) => Err(Error::invalid(
                what,
                format!("vmap: {} {what} for a call with {n} {items}", axes.len()),
            )),
        }
    }
}

impl From<i32> for VmapAxes {
    fn from(axis: i32) -> Self {
        VmapAxes::All(Some(axis))
    }
}

impl From<Option<i32>> for VmapAxes {
    fn from(axis: Option<i32>) -> Self {
        VmapAxes::All(axis)
    }
}

impl From<&[i32]> for VmapAxes {
    fn from(axes: &[i32]) -> Self {
        VmapAxes::Each(axes.iter().copied().map(Some).collect())
    }
}

impl From<Vec<i32>> for VmapAxes {
    fn from(axes: Vec<i32>) -> Self {
        axes.as_slice().into()
    }
}

impl From<&Vec<i32>> for VmapAxes {
    fn from(axes: &Vec<i32>) -> Self {
        axes.as_slice().into()
    }
}

impl<const N: usize> From<[i32; N]> for VmapAxes {
    fn from(axes: [i32; N]) -> Self {
        axes.as_slice().into()
    }
}

impl<const N: usize> From<&[i32; N]> for VmapAxes {
    fn from(axes: &[i32; N]) -> Self {
        axes.as_slice().into()
    }
}

impl From<&[Option<i32>]> for VmapAxes {
    fn from(axes: &[Option<i32>]) -> Self {
        VmapAxes::Each(axes.to_vec())
    }
}

impl From<Vec<Option<i32>>> for VmapAxes {
    fn from(axes: Vec<Option<i32>>) -> Self {
        VmapAxes::Each(axes)
    }
}

impl From<&Vec<Option<i32>>> for VmapAxes {
    fn from(axes: &Vec<Option<i32>>) -> Self {
        VmapAxes::Each(axes.clone())
    }
}

impl<const N: usize> From<[Option<i32>; N]> for VmapAxes {
    fn from(axes: [Option<i32>; N]) -> Self {
        VmapAxes::Each(axes.to_vec())
    }
}

impl<const N: usize> From<&[Option<i32>; N]> for VmapAxes {
    fn from(axes: &[Option<i32>; N]) -> Self {
        VmapAxes::Each(axes.to_vec())
    }
}

/// `axis` of an array with `ndim` dimensions, made non-negative, or an error naming
/// `what` (`in_axes`/`out_axes`) and the argument or output `index`.
fn normalize_vmap_axis(
    what: &'static str,
    item: &str,
    index: usize,
    axis: i32,
    ndim: usize,
) -> Result<i32> {
    let n = ndim as i64;
    let a = i64::from(axis);
    if n == 0 || a < -n || a >= n {
        return Err(Error::invalid(
            what,
            format!("vmap: axis {axis} is out of range for {item} {index} with {ndim} dimensions"),
        ));
    }
    Ok((if a < 0 { a + n } else { a }) as i32)
}

/// `vmap(f, in_axes, out_axes)`: `f` mapped over axis `in_axes[i]` of argument `i`
/// (`None`: not mapped, passed whole to every call) with output `j` stacked along
/// `out_axes[j]`. As in Python, an axis may be negative (counted from the end of the
/// argument's axes, or of the stacked output's), and a single axis stands for every
/// argument or output (see [`VmapAxes`]).
///
/// ```
/// use mlxrs::{Array, ops::{multiply, sum}, transforms::vmap};
/// // a row-wise dot product
/// let dot = |xs: &[Array]| Ok(vec![sum(&multiply(&xs[0], &xs[1])?, false)?]);
/// let rows = vmap(dot, 0, 0)?;
/// let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
/// let out = rows(&[a.clone(), a.clone()])?;
/// assert_eq!(out[0].to_vec::<f32>()?, vec![5.0, 25.0]);
/// // each row of `a` against one shared vector (Python's `in_axes=(0, None)`)
/// let v = Array::from_slice(&[1.0f32, -1.0], &[2])?;
/// let out = vmap(dot, [Some(0), None], -1)?(&[a, v])?;
/// assert_eq!(out[0].to_vec::<f32>()?, vec![-1.0, -1.0]);
/// # Ok::<(), mlxrs::Error>(())
/// ```
///
/// # Errors
/// [`Error::EmptyInput`] for an empty list of `out_axes`. The returned function fails with
/// [`Error::InvalidArgument`] naming `in_axes` (or `out_axes`) when their number does not
/// match the arguments (outputs), when an axis is out of range for its argument (output),
/// when a mapped argument is 0-dimensional, or for a `None` in `out_axes`; with MLX's
/// error ([`Error::Backend`]) for mapped axes of different sizes; and passes on `f`'s own
/// error as is.
pub fn vmap<F>(
    f: F,
    in_axes: impl Into<VmapAxes>,
    out_axes: impl Into<VmapAxes>,
) -> Result<impl Fn(&[Array]) -> Result<Vec<Array>> + 'static>
where
    F: Fn(&[Array]) -> Result<Vec<Array>> + 'static,
{
    let in_axes = in_axes.into();
    let out_axes = out_axes.into();
    if matches!(&out_axes, VmapAxes::Each(v) if v.is_empty()) {
        return Err(Error::empty_input("vmap: out_axes"));
    }
    let closure = Closure::new(f)?;
    Ok(move |args: &[Array]| {
        let ins = in_axes.per_item("in_axes", args.len(), "arguments")?;
        let ins = ins
            .iter()
            .zip(args)
            .enumerate()
            .map(|(i, (axis, a))| match axis {
                None => Ok(-1),
                Some(axis) => normalize_vmap_axis("in_axes", "argument", i, *axis, a.ndim()),
            })
            .collect::<Result<Vec<i32>>>()?;
        let inputs = VectorArray::from_arrays(args)?;
        let mut s_inputs = VectorArray::empty();
        let mut s_outputs = VectorArray::empty();
        ffi::status::clear_pending();
        mlx_call!(mlx_detail_vmap_trace(
            s_inputs.as_out(),
            s_outputs.as_out(),
            closure.as_raw(),
            inputs.as_raw(),
            ins.as_ptr(),
            ins.len()
        ))?;
        // The traced outputs are unbatched; the stacked ones have one axis more.
        let traced = s_outputs.to_arrays()?;
        let outs = out_axes.per_item("out_axes", traced.len(), "outputs")?;
        let outs = outs
            .iter()
            .zip(&traced)
            .enumerate()
            .map(|(j, (axis, y))| match axis {
                None => Err(Error::invalid(
                    "out_axes",
                    format!("vmap: output {j} has out_axes None; every output must be mapped"),
                )),
                Some(axis) => normalize_vmap_axis("out_axes", "output", j, *axis, y.ndim() + 1),
            })
            .collect::<Result<Vec<i32>>>()?;
        let mut out = VectorArray::empty();
        mlx_call!(mlx_detail_vmap_replace(
            out.as_out(),
            inputs.as_raw(),
            s_inputs.as_raw(),
            s_outputs.as_raw(),
            ins.as_ptr(),
            ins.len(),
            outs.as_ptr(),
            outs.len()
        ))?;
        out.to_arrays()
    })
}
