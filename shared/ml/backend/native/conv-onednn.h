// The convolution passes of conv-passes.h computed by oneDNN (libdnnl, its JIT-compiled direct
// convolutions) instead of im2col + OpenBLAS: same geometry, same NHWC data and [kh, kw, Ci, Co]
// (oneDNN's `hwio`) filter. oneDNN picks the filter layout its kernels read best; the filter is
// reordered into it, or its gradient out of it, around the convolution. Creating a primitive
// JIT-compiles its code, so each (pass, geometry, thread count) is created once and kept.
// oneDNN runs on OpenMP threads: computeThreads of them (the addon's setThreads), or one for a
// pass too small to gain from a second (each thread waits for the others at the end of every
// pass, which on a busy machine can take longer than a small pass itself). Every primitive is
// specific to the count it was created for, so a run with a given thread count computes the
// same sums in the same order every time.
// Each pass returns false when oneDNN has no implementation for the geometry; the caller then
// computes it with the OpenBLAS passes.
#pragma once

#include <dnnl.hpp>
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "conv-passes.h"

namespace conv_onednn {

using conv_passes::ConvGeometry;
using dnnl::memory;

enum class Pass { Forward, BackpropInput, BackpropFilter };

// Below this many floating-point operations per thread (about 0.1 ms of one core's work) a pass
// runs on fewer threads.
constexpr int64_t kMinFlopsPerThread = int64_t{16} << 20;

// The threads oneDNN computes a pass of `g` with: fixed by the geometry and computeThreads.
inline int passThreads(const ConvGeometry& g) {
  const int64_t flops = 2 * g.rowCount() * g.patchWidth() * g.outC;
  return static_cast<int>(std::clamp<int64_t>(flops / kMinFlopsPerThread, 1, conv_passes::computeThreads));
}

// OpenMP's thread count set for one pass (creating or running its primitive), restored after.
class ScopedOmpThreads {
 public:
  explicit ScopedOmpThreads(int threads) : previous_(omp_get_max_threads()) { omp_set_num_threads(threads); }
  ~ScopedOmpThreads() { omp_set_num_threads(previous_); }
  ScopedOmpThreads(const ScopedOmpThreads&) = delete;
  ScopedOmpThreads& operator=(const ScopedOmpThreads&) = delete;

 private:
  int previous_;
};

inline const dnnl::engine& cpuEngine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// The memory layouts of one geometry as we hold the tensors.
struct Layouts {
  memory::desc x, w, y;
  memory::dims strides, padBefore, padAfter;
};

// Padding after the data is whatever makes the output size come out: oneDNN checks
// (in + before + after - k) / stride + 1 == out, and TF.js's trailing padding may be larger than
// needed (or an input row may be left unread, where it is negative).
inline int64_t padAfter(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t before) {
  return std::max<int64_t>((out - 1) * stride + k - in - before, 0);
}

inline Layouts layoutsOf(const ConvGeometry& g) {
  const auto f32 = memory::data_type::f32;
  return Layouts{
      memory::desc({g.batch, g.inC, g.inH, g.inW}, f32, memory::format_tag::nhwc),
      memory::desc({g.outC, g.inC, g.kh, g.kw}, f32, memory::format_tag::hwio),
      memory::desc({g.batch, g.outC, g.outH, g.outW}, f32, memory::format_tag::nhwc),
      {g.strideH, g.strideW},
      {g.padTop, g.padLeft},
      {padAfter(g.inH, g.outH, g.kh, g.strideH, g.padTop), padAfter(g.inW, g.outW, g.kw, g.strideW, g.padLeft)},
  };
}

// One pass of one geometry, ready to run: the primitive, the filter layout it reads or writes, and
// where that is not ours, the reorder from ours (forward, input gradient) or to ours (filter
// gradient).
struct PreparedPass {
  dnnl::primitive primitive;
  memory::desc filterLayout;
  std::string implementation;
  bool reordersFilter = false;
  dnnl::reorder filterReorder;
};

inline dnnl::convolution_forward::primitive_desc forwardDescription(const Layouts& l) {
  const memory::desc anyFilter(l.w.dims(), memory::data_type::f32, memory::format_tag::any);
  return {{dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, l.x, anyFilter, l.y, l.strides, l.padBefore, l.padAfter},
          cpuEngine()};
}

inline PreparedPass withFilterReorder(PreparedPass p, const memory::desc& ours, bool intoOurs) {
  p.reordersFilter = p.filterLayout != ours;
  if (!p.reordersFilter) return p;
  const memory::desc& from = intoOurs ? p.filterLayout : ours;
  const memory::desc& to = intoOurs ? ours : p.filterLayout;
  p.filterReorder = dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), from, cpuEngine(), to));
  return p;
}

inline PreparedPass primitiveOf(Pass pass, const ConvGeometry& g) {
  const Layouts l = layoutsOf(g);
  const auto forward = forwardDescription(l);
  const memory::desc anyFilter(l.w.dims(), memory::data_type::f32, memory::format_tag::any);
  if (pass == Pass::Forward) return {dnnl::convolution_forward(forward), forward.weights_desc(), forward.impl_info_str()};
  if (pass == Pass::BackpropInput) {
    const dnnl::convolution_backward_data::primitive_desc backward(
        {dnnl::algorithm::convolution_direct, l.x, anyFilter, l.y, l.strides, l.padBefore, l.padAfter}, cpuEngine(), forward);
    return {dnnl::convolution_backward_data(backward), backward.weights_desc(), backward.impl_info_str()};
  }
  const dnnl::convolution_backward_weights::primitive_desc backward(
      {dnnl::algorithm::convolution_direct, l.x, anyFilter, l.y, l.strides, l.padBefore, l.padAfter}, cpuEngine(), forward);
  return {dnnl::convolution_backward_weights(backward), backward.diff_weights_desc(), backward.impl_info_str()};
}

inline PreparedPass prepare(Pass pass, const ConvGeometry& g) {
  return withFilterReorder(primitiveOf(pass, g), layoutsOf(g).w, pass == Pass::BackpropFilter);
}

// The prepared pass of (pass, geometry, thread count), created on first use; null when oneDNN
// cannot compute it. OpenMP's thread count is the pass's (ScopedOmpThreads) when called.
inline const PreparedPass* preparedPass(Pass pass, const ConvGeometry& g) {
  using Key = std::array<int64_t, 15>;
  static std::mutex lock;
  static std::map<Key, std::unique_ptr<PreparedPass>> cache;
  const Key key{static_cast<int64_t>(pass), omp_get_max_threads(), g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.outC,
                g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft};
  const std::lock_guard<std::mutex> hold(lock);
  auto found = cache.find(key);
  if (found == cache.end()) {
    std::unique_ptr<PreparedPass> prepared;
    try {
      prepared = std::make_unique<PreparedPass>(prepare(pass, g));
    } catch (const dnnl::error&) {
      prepared = nullptr;
    }
    found = cache.emplace(key, std::move(prepared)).first;
  }
  return found->second.get();
}

// `filter` (ours, hwio) as the pass reads it: itself, or reordered into `reordered`.
inline memory filterFor(const PreparedPass& p, memory filter, dnnl::stream& stream) {
  if (!p.reordersFilter) return filter;
  memory reordered(p.filterLayout, cpuEngine());
  p.filterReorder.execute(stream, filter, reordered);
  return reordered;
}

inline bool run(Pass pass, const ConvGeometry& g, const float* a, const float* b, float* out) {
  const ScopedOmpThreads threads(passThreads(g));
  const PreparedPass* p = preparedPass(pass, g);
  if (p == nullptr) return false;
  const Layouts l = layoutsOf(g);
  dnnl::stream stream(cpuEngine());
  auto wrap = [](const memory::desc& d, const float* values) { return memory(d, cpuEngine(), const_cast<float*>(values)); };
  if (pass == Pass::Forward) {
    p->primitive.execute(stream, {{DNNL_ARG_SRC, wrap(l.x, a)}, {DNNL_ARG_WEIGHTS, filterFor(*p, wrap(l.w, b), stream)}, {DNNL_ARG_DST, wrap(l.y, out)}});
  } else if (pass == Pass::BackpropInput) {
    p->primitive.execute(stream,
                         {{DNNL_ARG_DIFF_DST, wrap(l.y, a)}, {DNNL_ARG_WEIGHTS, filterFor(*p, wrap(l.w, b), stream)}, {DNNL_ARG_DIFF_SRC, wrap(l.x, out)}});
  } else {
    memory dw = wrap(l.w, out);
    memory computed = p->reordersFilter ? memory(p->filterLayout, cpuEngine()) : dw;
    p->primitive.execute(stream, {{DNNL_ARG_SRC, wrap(l.x, a)}, {DNNL_ARG_DIFF_DST, wrap(l.y, b)}, {DNNL_ARG_DIFF_WEIGHTS, computed}});
    if (p->reordersFilter) p->filterReorder.execute(stream, computed, dw);
  }
  stream.wait();
  return true;
}

// y = conv(x, w)
inline bool conv2dForward(const ConvGeometry& g, const float* x, const float* w, float* y) { return run(Pass::Forward, g, x, w, y); }

// dx = the input gradient of dy through w
inline bool conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  return run(Pass::BackpropInput, g, dy, w, dx);
}

// dw = the filter gradient of dy over x
inline bool conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  return run(Pass::BackpropFilter, g, x, dy, dw);
}

}  // namespace conv_onednn
