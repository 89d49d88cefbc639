/*
 * mlxrs: a minimal stand-in for C++20 <format>, written for mlxrs.
 *
 * mlx-c's private/io.h calls std::format("... {} ...", args...) with plain "{}"
 * placeholders only. Standard libraries older than libstdc++ 13 (gcc 12) ship no
 * <format>. mlxrs-sys's build script force-includes this header (-include) only when
 * a probe shows that <format> is missing, so a modern toolchain never sees it.
 */
#ifndef MLXRS_FORMAT_COMPAT_H
#define MLXRS_FORMAT_COMPAT_H
#ifdef __cplusplus
#if __has_include(<format>)
#include <format>
#else
#include <sstream>
#include <string>
#include <string_view>

namespace mlxrs_compat {
inline void format_rest(std::ostringstream& out, std::string_view fmt) {
  out << fmt;
}
template <typename T, typename... Rest>
void format_rest(std::ostringstream& out, std::string_view fmt, const T& value,
                 const Rest&... rest) {
  const auto at = fmt.find("{}");
  if (at == std::string_view::npos) {
    out << fmt;
    return;
  }
  out << fmt.substr(0, at) << value;
  format_rest(out, fmt.substr(at + 2), rest...);
}
}  // namespace mlxrs_compat

namespace std {
template <typename... Args>
std::string format(std::string_view fmt, const Args&... args) {
  std::ostringstream out;
  mlxrs_compat::format_rest(out, fmt, args...);
  return out.str();
}
}  // namespace std
#endif
#endif
#endif
