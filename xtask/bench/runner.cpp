// The C++ MLX side of `cargo xtask bench`: the floor a binding can reach.
//
// Implements the workloads of mlxrs/benches/common/mod.rs under the same ids and speaks
// the same line protocol (see mlxrs/benches/runner.rs). Built by xtask with the system
// g++ against the same headers and libmlx that mlxrs links; no cmake. Ids prefixed `gpu_`
// are the GPU set (`cargo xtask bench --device gpu`); `MLXRS_BENCH_DEVICE=gpu` (or `cpu`)
// sets the default device at start, on the thread that runs the workloads.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "mlx/mlx.h"

#ifdef MLXRS_MALLOC_TUNING
#include <malloc.h>
#endif

namespace mx = mlx::core;
using Step = std::function<void()>;
using Fn = std::function<std::vector<mx::array>(const std::vector<mx::array>&)>;

static mx::array data(const mx::Shape& shape, float phase) {
  int n = 1;
  for (auto d : shape) n *= d;
  auto i = mx::arange(0.0, double(n), 1.0, mx::float32);
  auto v = mx::reshape(mx::sin(mx::add(mx::multiply(i, mx::array(0.37f)), mx::array(phase))), shape);
  mx::eval(v);
  return v;
}

static int num_after(const std::string& id, const std::string& key) {
  std::smatch m;
  std::regex re(key + "(\\d+)");
  return std::regex_search(id, m, re) ? std::stoi(m[1]) : 0;
}

static Step dispatch_chain(const std::string& id) {
  int len = num_after(id, "chain");
  int n = num_after(id, "_n");
  auto x = mx::ones({n}, mx::float32);
  mx::eval(x);
  auto one = mx::array(1.0f);
  bool evaluate = id.rfind("dispatch", 0) == 0;
  return [=]() {
    auto y = x;
    for (int i = 0; i < len; ++i) y = mx::add(y, one);
    if (evaluate) mx::eval(y);
  };
}

static std::vector<mx::array> sum_of_squares(const std::vector<mx::array>& xs) {
  return {mx::sum(mx::multiply(xs[0], xs[0]))};
}

static mx::array tiny() {
  auto x = mx::array({1.5f}, {1});
  mx::eval(x);
  return x;
}

static Step value_and_grad_tiny(const std::string&) {
  auto vag = mx::value_and_grad(Fn(sum_of_squares), std::vector<int>{0});
  auto x = tiny();
  return [=]() {
    auto [v, g] = vag({x});
    mx::eval({v[0], g[0]});
  };
}

static Step grad_tiny(const std::string&) {
  auto vag = mx::value_and_grad(Fn(sum_of_squares), std::vector<int>{0});
  auto x = tiny();
  return [=]() { mx::eval(vag({x}).second); };
}

static Step grad_grad_tiny(const std::string&) {
  auto g = mx::value_and_grad(Fn(sum_of_squares), std::vector<int>{0});
  Fn inner = [g](const std::vector<mx::array>& xs) {
    return std::vector<mx::array>{mx::sum(g(xs).second[0])};
  };
  auto gg = mx::value_and_grad(inner, std::vector<int>{0});
  auto x = tiny();
  return [=]() { mx::eval(gg({x}).second); };
}

static Step compiled_value_and_grad_tiny(const std::string&) {
  auto vag = mx::value_and_grad(Fn(sum_of_squares), std::vector<int>{0});
  auto f = mx::compile(Fn([vag](const std::vector<mx::array>& xs) {
    auto [v, g] = vag(xs);
    return std::vector<mx::array>{v[0], g[0]};
  }));
  auto x = tiny();
  return [=]() { mx::eval(f({x})); };
}

static std::vector<mx::array> mlp_loss(const std::vector<mx::array>& p) {
  auto zero = mx::array(0.0f);
  auto h1 = mx::maximum(mx::add(mx::matmul(p[6], p[0]), p[1]), zero);
  auto h2 = mx::maximum(mx::add(mx::matmul(h1, p[2]), p[3]), zero);
  auto logits = mx::add(mx::matmul(h2, p[4]), p[5]);
  auto picked = mx::sum(mx::multiply(logits, p[7]), -1, false);
  return {mx::mean(mx::subtract(mx::logsumexp(logits, -1, false), picked))};
}

static Step mlp_step(const std::string& id) {
  int batch = num_after(id, "_b");
  auto p = std::make_shared<std::vector<mx::array>>(std::vector<mx::array>{
      mx::multiply(data({784, 256}, 0.1f), mx::array(0.05f)),
      mx::zeros({256}, mx::float32),
      mx::multiply(data({256, 256}, 0.2f), mx::array(0.06f)),
      mx::zeros({256}, mx::float32),
      mx::multiply(data({256, 10}, 0.3f), mx::array(0.06f)),
      mx::zeros({10}, mx::float32),
      data({batch, 784}, 0.4f),
  });
  auto eye = mx::eye(10, mx::float32);
  std::vector<mx::array> rows;
  for (int i = 0; i < batch; ++i) rows.push_back(mx::slice(eye, {i % 10, 0}, {i % 10 + 1, 10}));
  p->push_back(mx::concatenate(rows, 0));
  mx::eval(*p);
  auto vag = mx::value_and_grad(Fn(mlp_loss), std::vector<int>{0, 1, 2, 3, 4, 5});
  auto lr = mx::array(0.1f);
  Fn sgd = [vag, lr](const std::vector<mx::array>& args) {
    auto [loss, grads] = vag(args);
    std::vector<mx::array> out;
    for (int i = 0; i < 6; ++i) out.push_back(mx::subtract(args[i], mx::multiply(grads[i], lr)));
    out.push_back(loss[0]);
    return out;
  };
  Fn fn = id.size() > 9 && id.substr(id.size() - 9) == "_compiled" ? mx::compile(sgd) : sgd;
  return [p, fn]() {
    auto out = fn(*p);
    mx::eval(out);
    for (int i = 0; i < 6; ++i) (*p)[i] = out[i];
  };
}

static Step matmul_bench(const std::string& id) {
  // matmul_<dtype>_<n>
  auto dtype = id.substr(7, id.find('_', 7) - 7);
  int n = num_after(id, dtype + "_");
  auto a = data({n, n}, 0.0f), b = data({n, n}, 1.0f);
  if (dtype != "f32") {
    auto t = dtype == "f16" ? mx::float16 : mx::bfloat16;
    a = mx::astype(a, t);
    b = mx::astype(b, t);
    mx::eval({a, b});
  }
  return [=]() { mx::eval(mx::matmul(a, b)); };
}

// the NxM shape that ends an id such as softmax_4096x4096
static mx::Shape shape_nxm(const std::string& id) {
  std::smatch m;
  std::regex re("_(\\d+)x(\\d+)$");
  if (!std::regex_search(id, m, re)) throw std::invalid_argument(id + " does not end in a shape NxM");
  return {std::stoi(m[1]), std::stoi(m[2])};
}

static Step softmax_bench(const std::string& id) {
  auto x = data(shape_nxm(id), 0.0f);
  return [=]() { mx::eval(mx::softmax(x, -1)); };
}

static Step layer_norm_bench(const std::string& id) {
  auto x = data(shape_nxm(id), 0.0f);
  return [=]() { mx::eval(mx::fast::layer_norm(x, std::nullopt, std::nullopt, 1e-5f)); };
}

// the GPU set's layer norm: with weight and bias
static Step layer_norm_affine_bench(const std::string& id) {
  auto shape = shape_nxm(id);
  auto x = data(shape, 0.0f), w = data({shape[1]}, 0.2f), b = data({shape[1]}, 0.3f);
  return [=]() { mx::eval(mx::fast::layer_norm(x, w, b, 1e-5f)); };
}

static Step rms_norm_bench(const std::string& id) {
  auto shape = shape_nxm(id);
  auto x = data(shape, 0.0f), w = data({shape[1]}, 0.2f);
  return [=]() { mx::eval(mx::fast::rms_norm(x, w, 1e-5f)); };
}

static Step add_bench(const std::string& id) {
  auto shape = shape_nxm(id);
  auto a = data(shape, 0.0f), b = data(shape, 1.0f);
  return [=]() { mx::eval(mx::add(a, b)); };
}

// sdpa_b<B>_h<H>_s<S>_d<D>: q, k, v in bf16, scale 1/sqrt(D), no mask
static Step sdpa_bench(const std::string& id) {
  mx::Shape shape = {num_after(id, "_b"), num_after(id, "_h"), num_after(id, "_s"), num_after(id, "_d")};
  auto q = mx::astype(data(shape, 0.0f), mx::bfloat16);
  auto k = mx::astype(data(shape, 1.0f), mx::bfloat16);
  auto v = mx::astype(data(shape, 2.0f), mx::bfloat16);
  mx::eval({q, k, v});
  float scale = 1.0f / std::sqrt(float(shape[3]));
  return [=]() { mx::eval(mx::fast::scaled_dot_product_attention(q, k, v, scale)); };
}

static Step to_vec_bench(const std::string& id) {
  auto a = data({num_after(id, "to_vec_")}, 0.0f);
  return [=]() {
    std::vector<float> v(a.data<float>(), a.data<float>() + a.size());
    asm volatile("" : : "r"(v.data()) : "memory");
  };
}

using Setups = std::vector<std::pair<std::regex, std::function<Step(const std::string&)>>>;

// the GPU set: gpu_<id>, set up from <id>; tried before setups()
static Setups gpu_setups() {
  return {
      {std::regex("layer_norm_\\d+x\\d+"), layer_norm_affine_bench},
      {std::regex("rms_norm_\\d+x\\d+"), rms_norm_bench},
      {std::regex("sdpa_b\\d+_h\\d+_s\\d+_d\\d+"), sdpa_bench},
  };
}

static Setups setups() {
  return {
      {std::regex("dispatch_chain\\d+_n\\d+|build_chain\\d+_n\\d+"), dispatch_chain},
      {std::regex("value_and_grad_tiny"), value_and_grad_tiny},
      {std::regex("grad_tiny"), grad_tiny},
      {std::regex("grad_grad_tiny"), grad_grad_tiny},
      {std::regex("compiled_value_and_grad_tiny"), compiled_value_and_grad_tiny},
      {std::regex("mlp_step_b\\d+(_compiled)?"), mlp_step},
      {std::regex("matmul_(f32|f16|bf16)_\\d+"), matmul_bench},
      {std::regex("softmax_\\d+x\\d+"), softmax_bench},
      {std::regex("layer_norm_\\d+x\\d+"), layer_norm_bench},
      {std::regex("add_\\d+x\\d+"), add_bench},
      {std::regex("to_vec_\\d+"), to_vec_bench},
  };
}

static double measure(Step& step, double target_ms, int samples) {
  using clock = std::chrono::steady_clock;
  // warm-up; slow workloads get fewer samples instead of a run of minutes
  auto t = clock::now();
  step();
  double first = std::chrono::duration<double>(clock::now() - t).count();
  double target = target_ms / 1e3, per;
  if (first * samples > target) {
    per = first;
    samples = std::clamp(int(target / first), 1, samples);
  } else {
    step();
    per = std::chrono::duration<double>(clock::now() - t).count() / 2;
  }
  double budget = target / samples;
  long iters = std::clamp(long(budget / std::max(per, 1e-9)), 1L, 1000000L);
  std::vector<double> times;
  for (int s = 0; s < samples; ++s) {
    auto t0 = clock::now();
    for (long i = 0; i < iters; ++i) step();
    times.push_back(std::chrono::duration<double, std::nano>(clock::now() - t0).count() / iters);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int main() {
#ifdef MLXRS_MALLOC_TUNING
  // The same process configuration as mlxrs (mlxrs/src/runtime.rs), so this stays the
  // floor: glibc reuses freed buffers instead of unmapping them.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  if (const char* device = std::getenv("MLXRS_BENCH_DEVICE"); device && *device) {
    std::string d = device;
    if (d != "cpu" && d != "gpu") {
      std::cerr << "cpp bench runner: MLXRS_BENCH_DEVICE=`" << d << "`: expected cpu or gpu\n";
      return 2;
    }
    try {
      mx::set_default_device(d == "gpu" ? mx::Device::gpu : mx::Device::cpu);
    } catch (const std::exception& e) {
      std::cerr << "cpp bench runner: setting the device " << d << ": " << e.what() << "\n";
      return 2;
    }
  }
  std::map<std::string, Step> steps;
  auto table = setups();
  auto gpu_table = gpu_setups();
  gpu_table.insert(gpu_table.end(), table.begin(), table.end());
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    if (cmd.empty() || cmd == "quit") break;
    std::string reply;
    try {
      if (cmd == "rss") {
        std::ifstream status("/proc/self/status");
        std::string l;
        reply = "0";
        while (std::getline(status, l))
          if (l.rfind("VmHWM:", 0) == 0) reply = std::to_string(std::stol(l.substr(6)));
      } else if (cmd == "list") {
        reply = "cpp";
      } else if (cmd == "device") {
        auto d = mx::default_device();
        reply = d == mx::Device::gpu ? "gpu" : "cpu";
        auto& info = mx::device_info(d);
        if (auto it = info.find("device_name"); it != info.end())
          if (auto* name = std::get_if<std::string>(&it->second)) reply += " " + *name;
      } else if (cmd == "drop") {
        std::string id;
        in >> id;
        steps.erase(id);
        reply = "ok";
      } else if (cmd == "run") {
        std::string id;
        double ms;
        int samples;
        in >> id >> ms >> samples;
        if (!steps.count(id)) {
          bool gpu = id.rfind("gpu_", 0) == 0;
          auto base = gpu ? id.substr(4) : id;
          for (auto& [re, make] : gpu ? gpu_table : table) {
            if (std::regex_match(base, re)) {
              steps.emplace(id, make(base));
              break;
            }
          }
        }
        if (!steps.count(id)) {
          reply = "skip no C++ twin for " + id;
        } else {
          std::ostringstream o;
          o.setf(std::ios::fixed);
          o.precision(1);
          o << "ok " << measure(steps[id], ms, samples);
          reply = o.str();
        }
      } else {
        reply = "err bad command: " + line;
      }
    } catch (const std::exception& e) {
      reply = std::string("err ") + e.what();
    }
    std::cout << reply << std::endl;
  }
  return 0;
}
