// N-API bindings of the convolution passes in conv-passes.h, called from
// shared/ml/backend/native-conv-kernels.ts.
#include <node_api.h>

#include <string>

#include "conv-passes.h"

extern "C" void openblas_set_num_threads(int);
extern "C" char* openblas_get_corename(void);

namespace {

using conv_passes::ConvGeometry;

// ---- N-API glue ----

bool throwIf(napi_env env, bool failed, const std::string& message) {
  if (failed) napi_throw_error(env, nullptr, message.c_str());
  return failed;
}

bool readFloats(napi_env env, napi_value value, const char* name, int64_t expected, float** data) {
  napi_typedarray_type type;
  size_t length = 0;
  void* raw = nullptr;
  bool isTypedArray = false;
  napi_is_typedarray(env, value, &isTypedArray);
  if (throwIf(env, !isTypedArray, std::string(name) + " must be a Float32Array")) return false;
  napi_get_typedarray_info(env, value, &type, &length, &raw, nullptr, nullptr);
  if (throwIf(env, type != napi_float32_array, std::string(name) + " must be a Float32Array")) return false;
  if (throwIf(env, static_cast<int64_t>(length) != expected,
              std::string(name) + " has " + std::to_string(length) + " values, expected " + std::to_string(expected))) {
    return false;
  }
  *data = static_cast<float*>(raw);
  return true;
}

bool readGeometry(napi_env env, napi_value value, ConvGeometry* g) {
  napi_typedarray_type type;
  size_t length = 0;
  void* raw = nullptr;
  bool isTypedArray = false;
  napi_is_typedarray(env, value, &isTypedArray);
  if (isTypedArray) napi_get_typedarray_info(env, value, &type, &length, &raw, nullptr, nullptr);
  if (throwIf(env, !isTypedArray || type != napi_int32_array || length != 13, "geometry must be an Int32Array of 13 values")) return false;
  const int32_t* v = static_cast<const int32_t*>(raw);
  *g = ConvGeometry{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]};
  return true;
}

enum class Pass { Forward, BackpropFilter, BackpropInput };

// (geometry, a, b, out): forward (x, w, y), filter gradient (x, dy, dw), input gradient (dy, w, dx).
template <Pass pass>
napi_value runConv(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (throwIf(env, argc != 4, "expected (geometry, a, b, out)")) return nullptr;
  ConvGeometry g{};
  if (!readGeometry(env, args[0], &g)) return nullptr;
  const int64_t xSize = g.batch * g.inH * g.inW * g.inC;
  const int64_t ySize = g.rowCount() * g.outC;
  const int64_t wSize = g.patchWidth() * g.outC;
  float *a = nullptr, *b = nullptr, *out = nullptr;
  if (pass == Pass::Forward) {
    if (!readFloats(env, args[1], "x", xSize, &a) || !readFloats(env, args[2], "w", wSize, &b) || !readFloats(env, args[3], "y", ySize, &out)) return nullptr;
    conv_passes::conv2dForward(g, a, b, out);
  } else if (pass == Pass::BackpropFilter) {
    if (!readFloats(env, args[1], "x", xSize, &a) || !readFloats(env, args[2], "dy", ySize, &b) || !readFloats(env, args[3], "dw", wSize, &out)) return nullptr;
    conv_passes::conv2dBackpropFilter(g, a, b, out);
  } else {
    if (!readFloats(env, args[1], "dy", ySize, &a) || !readFloats(env, args[2], "w", wSize, &b) || !readFloats(env, args[3], "dx", xSize, &out)) return nullptr;
    conv_passes::conv2dBackpropInput(g, a, b, out);
  }
  return nullptr;
}

napi_value setThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  int32_t threads = 0;
  if (throwIf(env, argc != 1 || napi_get_value_int32(env, arg, &threads) != napi_ok || threads < 1, "threads must be a positive integer")) {
    return nullptr;
  }
  conv_passes::computeThreads = threads;
  openblas_set_num_threads(1);
  napi_value result;
  napi_create_int32(env, conv_passes::computeThreads, &result);
  return result;
}

// The kernel set OpenBLAS chose for this CPU (e.g. Haswell, SkylakeX), for the logs.
napi_value blasCore(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &result);
  return result;
}

napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"conv2d", nullptr, runConv<Pass::Forward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, runConv<Pass::BackpropFilter>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, runConv<Pass::BackpropInput>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, setThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"blasCore", nullptr, blasCore, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
