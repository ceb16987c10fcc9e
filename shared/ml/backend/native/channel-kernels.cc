// Per-channel affine map and activation over NHWC tensors (a conv's bias, a frozen BatchNorm
// and the activation after it in one pass), and its gradient; called from
// shared/ml/layers/channel-epilogue-kernels.ts.
#include <node_api.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "kernel-groups.h"
#include "napi-args.h"
#include "parallel.h"

namespace {

using napi_args::readFloats;
using napi_args::throwIf;

// The activation after the affine map; the numbers are the TypeScript side's.
enum class Activation : int32_t { Identity = 0, Relu = 1, Swish = 2 };

// Fewer values than this on a thread cost more in starting it than they save.
constexpr int64_t kMinValuesPerThread = 32768;

// e^x for float32 within 2 ulp: 2^n·p(r) with x = n·ln2 + r, |r| ≤ ln2/2, and p a degree-6
// Taylor polynomial. Written without branches or library calls so the compiler vectorises the
// loops that call it, which it cannot do with std::exp.
inline float expApprox(float x) {
  const float low = x < -87.0f ? -87.0f : x;
  const float clamped = low > 88.0f ? 88.0f : low;
  // Adding and subtracting 1.5·2^23 rounds to the nearest integer.
  const float n = (clamped * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = (clamped - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

inline float sigmoid(float z) { return 1.0f / (1.0f + expApprox(-z)); }

inline float activate(Activation act, float z) {
  if (act == Activation::Swish) return z * sigmoid(z);
  if (act == Activation::Relu) return z > 0.0f ? z : 0.0f;
  return z;
}

// d act(z) / dz times dy.
inline float activationGradient(Activation act, float z, float dy) {
  if (act == Activation::Swish) {
    const float s = sigmoid(z);
    return dy * s + dy * z * (s * (1.0f - s));
  }
  if (act == Activation::Relu) return z > 0.0f ? dy : 0.0f;
  return dy;
}

struct ChannelTensors {
  int64_t rows, channels;
  const float *x, *scale, *shift;
};

template <Activation act>
void forwardRows(const ChannelTensors& t, native_parallel::RowRange range, float* y) {
  for (int64_t row = range.begin; row < range.end; ++row) {
    const float* xRow = t.x + row * t.channels;
    float* yRow = y + row * t.channels;
    for (int64_t c = 0; c < t.channels; ++c) yRow[c] = activate(act, xRow[c] * t.scale[c] + t.shift[c]);
  }
}

// dx of the rows of `range`, and their sums of dz·x and dz per channel (in float64).
template <Activation act>
void backwardRows(const ChannelTensors& t, native_parallel::RowRange range, const float* dy, float* dx, double* dScale, double* dShift) {
  for (int64_t row = range.begin; row < range.end; ++row) {
    const int64_t at = row * t.channels;
    for (int64_t c = 0; c < t.channels; ++c) {
      const float x = t.x[at + c];
      const float dz = activationGradient(act, x * t.scale[c] + t.shift[c], dy[at + c]);
      dx[at + c] = dz * t.scale[c];
      dScale[c] += static_cast<double>(dz) * x;
      dShift[c] += dz;
    }
  }
}

std::vector<native_parallel::RowRange> rowRanges(const ChannelTensors& t) {
  return native_parallel::evenRanges(t.rows, std::max<int64_t>(kMinValuesPerThread / std::max<int64_t>(t.channels, 1), 1));
}

template <Activation act>
void forwardPass(const ChannelTensors& t, float* y) {
  native_parallel::forEachRange(rowRanges(t), [&](int64_t, native_parallel::RowRange range) { forwardRows<act>(t, range, y); });
}

// Each thread sums its own rows; the partial sums are then added in range order, so the bits
// depend only on the sizes and the thread count.
template <Activation act>
void backwardPass(const ChannelTensors& t, const float* dy, float* dx, float* dScale, float* dShift) {
  const auto ranges = rowRanges(t);
  const int64_t c = t.channels;
  std::vector<double> partials(ranges.size() * 2 * c, 0.0);
  native_parallel::forEachRange(ranges, [&](int64_t part, native_parallel::RowRange range) {
    backwardRows<act>(t, range, dy, dx, &partials[part * 2 * c], &partials[part * 2 * c + c]);
  });
  for (int64_t ch = 0; ch < c; ++ch) {
    double scaleSum = 0.0, shiftSum = 0.0;
    for (size_t part = 0; part < ranges.size(); ++part) {
      scaleSum += partials[part * 2 * c + ch];
      shiftSum += partials[part * 2 * c + c + ch];
    }
    dScale[ch] = static_cast<float>(scaleSum);
    dShift[ch] = static_cast<float>(shiftSum);
  }
}

// Reads (activation, x, scale, shift) from the call's first arguments; false (with a thrown
// error) when they are not valid.
bool readChannelTensors(napi_env env, const napi_value* args, Activation* act, ChannelTensors* t) {
  int32_t code = -1;
  napi_get_value_int32(env, args[0], &code);
  if (throwIf(env, code < 0 || code > 2, "activation must be 0 (identity), 1 (relu) or 2 (swish)")) return false;
  *act = static_cast<Activation>(code);
  float *x = nullptr, *scale = nullptr, *shift = nullptr;
  if (!readFloats(env, args[2], "scale", -1, &scale)) return false;
  size_t channels = 0;
  napi_typedarray_type type;
  napi_get_typedarray_info(env, args[2], &type, &channels, nullptr, nullptr, nullptr);
  if (throwIf(env, channels == 0, "scale must have one value per channel")) return false;
  if (!readFloats(env, args[3], "shift", static_cast<int64_t>(channels), &shift) || !readFloats(env, args[1], "x", -1, &x)) return false;
  size_t length = 0;
  napi_get_typedarray_info(env, args[1], &type, &length, nullptr, nullptr, nullptr);
  if (throwIf(env, length % channels != 0, "x must hold whole rows of channels")) return false;
  *t = ChannelTensors{static_cast<int64_t>(length / channels), static_cast<int64_t>(channels), x, scale, shift};
  return true;
}

template <typename Run>
void dispatch(Activation act, Run run) {
  if (act == Activation::Swish) run(std::integral_constant<Activation, Activation::Swish>{});
  else if (act == Activation::Relu) run(std::integral_constant<Activation, Activation::Relu>{});
  else run(std::integral_constant<Activation, Activation::Identity>{});
}

// (activation, x, scale, shift, y): y = act(x·scale[c] + shift[c]).
napi_value channelEpilogue(napi_env env, napi_callback_info info) {
  napi_value args[5];
  Activation act;
  ChannelTensors t{};
  float* y = nullptr;
  if (!napi_args::readArguments(env, info, args, "(activation, x, scale, shift, y)") || !readChannelTensors(env, args, &act, &t) ||
      !readFloats(env, args[4], "y", t.rows * t.channels, &y)) {
    return nullptr;
  }
  dispatch(act, [&](auto kind) { forwardPass<decltype(kind)::value>(t, y); });
  return nullptr;
}

// (activation, x, scale, shift, dy, dx, dScale, dShift): the gradients of the forward pass.
napi_value channelEpilogueGrad(napi_env env, napi_callback_info info) {
  napi_value args[8];
  Activation act;
  ChannelTensors t{};
  float *dy = nullptr, *dx = nullptr, *dScale = nullptr, *dShift = nullptr;
  if (!napi_args::readArguments(env, info, args, "(activation, x, scale, shift, dy, dx, dScale, dShift)") ||
      !readChannelTensors(env, args, &act, &t)) {
    return nullptr;
  }
  const int64_t size = t.rows * t.channels;
  if (!readFloats(env, args[4], "dy", size, &dy) || !readFloats(env, args[5], "dx", size, &dx) ||
      !readFloats(env, args[6], "dScale", t.channels, &dScale) || !readFloats(env, args[7], "dShift", t.channels, &dShift)) {
    return nullptr;
  }
  dispatch(act, [&](auto kind) { backwardPass<decltype(kind)::value>(t, dy, dx, dScale, dShift); });
  return nullptr;
}

}  // namespace

void registerChannelKernels(napi_env env, napi_value exports) {
  napi_args::defineFunctions(env, exports, {{"channelEpilogue", channelEpilogue}, {"channelEpilogueGrad", channelEpilogueGrad}});
}
