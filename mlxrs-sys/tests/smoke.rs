//! Calls mlx-c through the raw bindings: proves that linking, the rpath and the error
//! handler hook work before any safe wrapper exists.

use mlxrs_sys as sys;
use std::cell::RefCell;
use std::ffi::{CStr, c_char, c_void};

thread_local! {
    // mlx-c calls the handler on the failing thread: per-thread slots keep the tests,
    // which run in parallel, from reading each other's messages.
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

extern "C" fn record(msg: *const c_char, _data: *mut c_void) {
    // SAFETY: mlx-c passes a NUL-terminated message valid for the call.
    let text = unsafe { CStr::from_ptr(msg) }
        .to_string_lossy()
        .into_owned();
    let _ = LAST.try_with(|slot| *slot.borrow_mut() = Some(text));
}

#[test]
fn version_add_eval_and_read_back() {
    // SAFETY: plain mlx-c calls on handles created and freed here.
    unsafe {
        let mut v = sys::mlx_string_new();
        assert_eq!(sys::mlx_version(&mut v), 0);
        let version = CStr::from_ptr(sys::mlx_string_data(v))
            .to_str()
            .unwrap()
            .to_owned();
        sys::mlx_string_free(v);
        assert_eq!(version, "0.32.2");

        let data = [1.0f32, 2.0, 3.0, 4.0];
        let shape = [2i32, 2];
        let a = sys::mlx_array_new_data(
            data.as_ptr().cast(),
            shape.as_ptr(),
            2,
            sys::mlx_dtype::MLX_FLOAT32,
        );
        let b = sys::mlx_array_new_float32(10.0);
        let s = sys::mlx_default_cpu_stream_new();
        let mut c = sys::mlx_array_new();
        assert_eq!(sys::mlx_add(&mut c, a, b, s), 0);
        let mut total = sys::mlx_array_new();
        assert_eq!(sys::mlx_sum(&mut total, c, false, s), 0);
        assert_eq!(sys::mlx_array_eval(total), 0);
        let mut out = 0.0f32;
        assert_eq!(sys::mlx_array_item_float32(&mut out, total), 0);
        assert_eq!(out, 50.0); // (1+2+3+4) + 4*10
        for arr in [a, b, c, total] {
            sys::mlx_array_free(arr);
        }
        sys::mlx_stream_free(s);
    }
}

#[test]
fn error_handler_hook_receives_mlx_messages() {
    // SAFETY: the handler is a plain extern "C" fn that never unwinds; the arrays are
    // created and freed here.
    unsafe {
        sys::mlx_set_error_handler(Some(record), std::ptr::null_mut(), None);
        let a = sys::mlx_array_new_data(
            [0f32; 6].as_ptr().cast(),
            [2i32, 3].as_ptr(),
            2,
            sys::mlx_dtype::MLX_FLOAT32,
        );
        let b = sys::mlx_array_new_data(
            [0f32; 8].as_ptr().cast(),
            [4i32, 2].as_ptr(),
            2,
            sys::mlx_dtype::MLX_FLOAT32,
        );
        let s = sys::mlx_default_cpu_stream_new();
        let mut c = sys::mlx_array_new();
        let status = sys::mlx_matmul(&mut c, a, b, s);
        assert_ne!(status, 0, "a shape mismatch must fail");
        let msg = LAST
            .with(|slot| slot.borrow_mut().take())
            .expect("the handler must have run");
        assert!(
            msg.contains("[matmul] Last dimension of first input with shape (2,3)"),
            "{msg}"
        );
        for arr in [a, b, c] {
            sys::mlx_array_free(arr);
        }
        sys::mlx_stream_free(s);
    }
}

#[test]
fn an_error_message_holding_printf_directives_arrives_intact() {
    // mlx-c 0.7.0 passed MLX's message to printf as the format; mlxrs-sys's build
    // force-includes a fix (compat/mlxrs_mlx_error_fix.h). Without it this test crashes.
    // SAFETY: plain mlx-c calls on handles created and freed here; the handler never unwinds.
    unsafe {
        sys::mlx_set_error_handler(Some(record), std::ptr::null_mut(), None);
        let path = std::ffi::CString::new("/nonexistent/mlxrs-%s%s%s%n%n.npy").unwrap();
        let s = sys::mlx_default_cpu_stream_new();
        let mut out = sys::mlx_array_new();
        let status = sys::mlx_load(&mut out, path.as_ptr(), s);
        assert_ne!(status, 0);
        let msg = LAST
            .with(|slot| slot.borrow_mut().take())
            .expect("the handler must have run");
        assert!(msg.contains("mlxrs-%s%s%s%n%n.npy"), "{msg}");
        sys::mlx_array_free(out);
        sys::mlx_stream_free(s);
    }
}
