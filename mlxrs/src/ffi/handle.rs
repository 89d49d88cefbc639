//! `handle!`: the one way an mlx-c handle becomes a Rust type.
//!
//! It generates a `#[repr(transparent)]` owner (so `&[Array]` passes as
//! `*const mlx_array`), `Drop` that frees exactly once, and the ownership-naming escape
//! hatches: `from_raw` **takes** a +1 handle, `as_raw` **borrows**, `into_raw` **gives**.

macro_rules! handle {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident($raw:ident) { new: $new:ident, free: $free:ident }
    ) => {
        $crate::ffi::handle!(@owner $(#[$meta])* $vis struct $name($raw) { free: $free });

        impl $name {
            /// An empty handle (from the `*_new` constructor), to be filled through
            /// [`Self::as_out`].
            #[inline]
            #[allow(dead_code)]
            pub(crate) fn empty() -> Self {
                $crate::ffi::init();
                // SAFETY: the `*_new` constructors take no input and cannot fail.
                Self { raw: unsafe { ::mlxrs_sys::$new() } }
            }
        }
    };
    // For handles whose only constructor takes arguments (readers, kernels, imported
    // functions, iterators): `empty()` is the all-null handle, which `Drop` skips.
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident($raw:ident) { free: $free:ident }
    ) => {
        $crate::ffi::handle!(@owner $(#[$meta])* $vis struct $name($raw) { free: $free });

        impl $name {
            /// An empty (null) handle, to be filled through [`Self::as_out`].
            #[inline]
            #[allow(dead_code)]
            pub(crate) fn empty() -> Self {
                $crate::ffi::init();
                Self { raw: <::mlxrs_sys::$raw as ::std::default::Default>::default() }
            }
        }
    };
    (
        @owner $(#[$meta:meta])*
        $vis:vis struct $name:ident($raw:ident) { free: $free:ident }
    ) => {
        $(#[$meta])*
        #[repr(transparent)]
        $vis struct $name {
            raw: ::mlxrs_sys::$raw,
        }

        impl $name {
            #[doc = concat!("Takes ownership of a raw `", stringify!($raw), "` (a +1 handle).")]
            ///
            /// # Safety
            /// `raw` must be a live handle made by mlx-c (or an empty one, `ctx` null) that
            /// nothing else frees: this value frees it when dropped.
            #[inline]
            #[allow(dead_code)]
            pub unsafe fn from_raw(raw: ::mlxrs_sys::$raw) -> Self {
                $crate::ffi::init();
                Self { raw }
            }

            /// Borrows the raw handle, valid while `self` lives. Do not free it.
            #[inline]
            pub fn as_raw(&self) -> ::mlxrs_sys::$raw {
                self.raw
            }

            /// Gives the raw handle away; the caller must free it.
            #[inline]
            #[allow(dead_code)]
            pub fn into_raw(self) -> ::mlxrs_sys::$raw {
                let raw = self.raw;
                ::std::mem::forget(self);
                raw
            }

            /// The out-parameter pointer for an mlx-c call that fills this handle.
            #[inline]
            #[allow(dead_code)]
            pub(crate) fn as_out(&mut self) -> *mut ::mlxrs_sys::$raw {
                &mut self.raw
            }
        }

        impl Drop for $name {
            #[inline]
            fn drop(&mut self) {
                if !self.raw.ctx.is_null() {
                    // SAFETY: we own the handle; it is freed here and nowhere else. The
                    // status is ignored: Drop never fails or panics.
                    unsafe { ::mlxrs_sys::$free(self.raw) };
                }
            }
        }
    };
}

pub(crate) use handle;
