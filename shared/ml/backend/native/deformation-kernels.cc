// N-API bindings of MorphAEus' deformation passes (bilinear-warp-passes.h, box-sum-passes.h),
// called from shared/ml/backend/native-deformation-kernels.ts.
//
// These passes repeat the JavaScript kernels' float64 arithmetic step by step to give their
// bits; a fused multiply-add would round once where JavaScript rounds twice.
#pragma GCC optimize("fp-contract=off")

#include <node_api.h>

#include "bilinear-warp-passes.h"
#include "box-sum-passes.h"
#include "kernel-groups.h"
#include "napi-args.h"

namespace {

using napi_args::readFloats;
using napi_args::throwIf;

// Reads the call's `count` arguments (at most 6): a shape (Int32Array) and then Float32Arrays.
bool readArgs(napi_env env, napi_callback_info info, size_t count, const char* usage, napi_value* args) {
  size_t argc = 6;
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  return !throwIf(env, argc != count, std::string("expected ") + usage);
}

// Float32Arrays args[1..] of the given names and sizes into `arrays`.
bool readArrays(napi_env env, const napi_value* args, size_t count, const char* const* names, const int64_t* sizes, float** arrays) {
  for (size_t k = 0; k < count; ++k) {
    if (!readFloats(env, args[k + 1], names[k], sizes[k], &arrays[k])) return false;
  }
  return true;
}

bool readWarpShape(napi_env env, napi_value value, bilinear_warp::WarpShape* s) {
  const int32_t* v = nullptr;
  if (!napi_args::readInts(env, value, "shape", 4, &v)) return false;
  *s = bilinear_warp::WarpShape{v[0], v[1], v[2], v[3]};
  return !throwIf(env, v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0, "shape sizes must not be negative");
}

enum class Pass { Forward, Gradient };

// Forward (shape [B, H, W, C], src, flow, out); gradient (shape, src, flow, dy, dSrc, dFlow).
template <Pass pass>
napi_value bilinearWarp(napi_env env, napi_callback_info info) {
  constexpr bool forward = pass == Pass::Forward;
  constexpr size_t arrays = forward ? 3 : 5;
  napi_value args[6];
  if (!readArgs(env, info, arrays + 1, forward ? "(shape, src, flow, out)" : "(shape, src, flow, dy, dSrc, dFlow)", args)) return nullptr;
  bilinear_warp::WarpShape s{};
  if (!readWarpShape(env, args[0], &s)) return nullptr;
  const int64_t field = s.batch * s.height * s.width * 2;
  const int64_t image = field / 2 * s.channels;
  const char* const names[] = {"src", "flow", forward ? "out" : "dy", "dSrc", "dFlow"};
  const int64_t sizes[] = {image, field, image, image, field};
  float* a[5] = {};
  if (!readArrays(env, args, arrays, names, sizes, a)) return nullptr;
  if (forward) bilinear_warp::forward(s, a[0], a[1], a[2]);
  else bilinear_warp::backward(s, a[0], a[1], a[2], a[3], a[4]);
  return nullptr;
}

bool readBoxShape(napi_env env, napi_value value, box_sum::BoxShape* s) {
  const int32_t* v = nullptr;
  if (!napi_args::readInts(env, value, "shape", 5, &v)) return false;
  *s = box_sum::BoxShape{v[0], v[1], v[2], v[3], v[4]};
  return !throwIf(env, v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0 || v[4] < 1 || v[4] % 2 == 0,
                  "shape sizes must not be negative and the window must be odd");
}

// Forward (shape [B, H, W, C, window], x, y); gradient (shape, dy, dx).
template <Pass pass>
napi_value boxSum(napi_env env, napi_callback_info info) {
  napi_value args[6];
  if (!readArgs(env, info, 3, "(shape, input, output)", args)) return nullptr;
  box_sum::BoxShape s{};
  if (!readBoxShape(env, args[0], &s)) return nullptr;
  const int64_t planes = s.batch * s.height * s.width;
  const char* const names[] = {"input", "output"};
  const int64_t sizes[] = {pass == Pass::Forward ? planes * s.channels : planes, pass == Pass::Forward ? planes : planes * s.channels};
  float* a[2] = {};
  if (!readArrays(env, args, 2, names, sizes, a)) return nullptr;
  if (pass == Pass::Forward) box_sum::forward(s, a[0], a[1]);
  else box_sum::backward(s, a[0], a[1]);
  return nullptr;
}

}  // namespace

void registerDeformationKernels(napi_env env, napi_value exports) {
  napi_args::defineFunctions(env, exports, {
      {"bilinearWarp", bilinearWarp<Pass::Forward>},
      {"bilinearWarpGrad", bilinearWarp<Pass::Gradient>},
      {"boxSum", boxSum<Pass::Forward>},
      {"boxSumGrad", boxSum<Pass::Gradient>},
  });
}
