// One Adam update of one parameter on the addon's threads; called from
// shared/ml/optim/adam-kernel.ts. Every operation is a float32 operation in the order of the
// generic TF.js ops (the build's -std=c++17 keeps the compiler from fusing a product and a sum),
// so the result equals theirs bit for bit.
#include <node_api.h>

#include <cmath>
#include <cstdint>

#include "kernel-groups.h"
#include "napi-args.h"
#include "parallel.h"

namespace {

using napi_args::readFloats;
using napi_args::throwIf;

// Fewer values than this on a thread cost more in starting it than they save.
constexpr int64_t kMinValuesPerThread = 65536;

// The scalars, rounded to float32 by the caller, in this order.
struct AdamConstants {
  float beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, weightDecay, stepSize, correction;
};

struct AdamArrays {
  float *param, *grad, *expAvg, *expAvgSq, *maxExpAvgSq;
};

template <bool decay, bool amsgrad>
void adamRange(const AdamConstants& k, const AdamArrays& in, const AdamArrays& out, native_parallel::RowRange range) {
  for (int64_t i = range.begin; i < range.end; ++i) {
    const float g = decay ? in.grad[i] + in.param[i] * k.weightDecay : in.grad[i];
    const float m = in.expAvg[i] * k.beta1 + g * k.oneMinusBeta1;
    const float v = in.expAvgSq[i] * k.beta2 + (g * g) * k.oneMinusBeta2;
    out.expAvg[i] = m;
    out.expAvgSq[i] = v;
    float second = v;
    if (amsgrad) {
      second = in.maxExpAvgSq[i] > v ? in.maxExpAvgSq[i] : v;
      out.maxExpAvgSq[i] = second;
    }
    const float denominator = std::sqrt(second) / k.correction + k.epsilon;
    out.param[i] = in.param[i] - (m / denominator) * k.stepSize;
  }
}

template <bool decay, bool amsgrad>
void adamPass(const AdamConstants& k, const AdamArrays& in, const AdamArrays& out, int64_t count) {
  native_parallel::forEachRange(native_parallel::evenRanges(count, kMinValuesPerThread),
                                [&](int64_t, native_parallel::RowRange range) { adamRange<decay, amsgrad>(k, in, out, range); });
}

// (constants, param, grad, expAvg, expAvgSq, maxExpAvgSq | null, nextParam, nextExpAvg,
// nextExpAvgSq, nextMaxExpAvgSq | null): the next values of the parameter and its moments.
napi_value adamStep(napi_env env, napi_callback_info info) {
  napi_value args[10];
  if (!napi_args::readArguments(env, info, args, "(constants, param, grad, expAvg, expAvgSq, maxExpAvgSq, next × 4)")) return nullptr;
  float* constants = nullptr;
  if (!readFloats(env, args[0], "constants", 8, &constants)) return nullptr;
  const AdamConstants k{constants[0], constants[1], constants[2], constants[3], constants[4], constants[5], constants[6], constants[7]};
  napi_valuetype maxType;
  napi_typeof(env, args[5], &maxType);
  const bool amsgrad = maxType != napi_null;
  AdamArrays in{}, out{};
  if (!readFloats(env, args[1], "param", -1, &in.param)) return nullptr;
  size_t count = 0;
  napi_typedarray_type type;
  napi_get_typedarray_info(env, args[1], &type, &count, nullptr, nullptr, nullptr);
  const int64_t n = static_cast<int64_t>(count);
  if (!readFloats(env, args[2], "grad", n, &in.grad) || !readFloats(env, args[3], "expAvg", n, &in.expAvg) ||
      !readFloats(env, args[4], "expAvgSq", n, &in.expAvgSq) || (amsgrad && !readFloats(env, args[5], "maxExpAvgSq", n, &in.maxExpAvgSq)) ||
      !readFloats(env, args[6], "nextParam", n, &out.param) || !readFloats(env, args[7], "nextExpAvg", n, &out.expAvg) ||
      !readFloats(env, args[8], "nextExpAvgSq", n, &out.expAvgSq) || (amsgrad && !readFloats(env, args[9], "nextMaxExpAvgSq", n, &out.maxExpAvgSq))) {
    return nullptr;
  }
  const bool decay = k.weightDecay != 0.0f;
  if (decay && amsgrad) adamPass<true, true>(k, in, out, n);
  else if (decay) adamPass<true, false>(k, in, out, n);
  else if (amsgrad) adamPass<false, true>(k, in, out, n);
  else adamPass<false, false>(k, in, out, n);
  return nullptr;
}

}  // namespace

void registerAdamKernels(napi_env env, napi_value exports) {
  napi_args::defineFunctions(env, exports, {{"adamStep", adamStep}});
}
