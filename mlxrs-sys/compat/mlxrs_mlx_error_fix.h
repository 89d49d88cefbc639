/*
 * mlxrs: a fix for mlx-c 0.7.0's error reporting, force-included into every mlx-c source
 * file that mlxrs-sys builds (the pinned sources stay untouched).
 *
 * mlx-c reports each caught C++ exception with `mlx_error(e.what())`, and its macro
 * passes that message to `_mlx_error` as the printf *format*. MLX quotes user data in its
 * messages (file paths, JSON tokens, names), so a `%` there made vsnprintf read arguments
 * that do not exist: a crash, or worse with `%n`. Every call site passes exactly one
 * argument, so this definition, which formats the message as data, is exact.
 */
#ifndef MLXRS_MLX_ERROR_FIX_H
#define MLXRS_MLX_ERROR_FIX_H
/* CMake's compiler checks compile with these flags but without mlx-c's include path. */
#if defined(__has_include)
#if __has_include("mlx/c/error.h")
#include "mlx/c/error.h"
#undef mlx_error
#define mlx_error(msg) _mlx_error(__FILE__, __LINE__, "%s", (msg))
#endif
#endif
#endif
