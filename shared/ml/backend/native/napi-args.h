// Argument checks shared by the addon's N-API bindings: each failure throws a JavaScript
// error that names the argument, and the binding returns without computing.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace napi_args {

inline bool throwIf(napi_env env, bool failed, const std::string& message) {
  if (failed) napi_throw_error(env, nullptr, message.c_str());
  return failed;
}

// The call's arguments into `args`; false (with a thrown error naming `usage`) unless there are exactly N.
template <size_t N>
bool readArguments(napi_env env, napi_callback_info info, napi_value (&args)[N], const char* usage) {
  size_t argc = N;
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  return !throwIf(env, argc != N, std::string("expected ") + usage);
}

// `value` as a Float32Array of `expected` values (any length when expected < 0).
inline bool readFloats(napi_env env, napi_value value, const char* name, int64_t expected, float** data) {
  napi_typedarray_type type;
  size_t length = 0;
  void* raw = nullptr;
  bool isTypedArray = false;
  napi_is_typedarray(env, value, &isTypedArray);
  if (throwIf(env, !isTypedArray, std::string(name) + " must be a Float32Array")) return false;
  napi_get_typedarray_info(env, value, &type, &length, &raw, nullptr, nullptr);
  if (throwIf(env, type != napi_float32_array, std::string(name) + " must be a Float32Array")) return false;
  if (throwIf(env, expected >= 0 && static_cast<int64_t>(length) != expected,
              std::string(name) + " has " + std::to_string(length) + " values, expected " + std::to_string(expected))) {
    return false;
  }
  *data = static_cast<float*>(raw);
  return true;
}

// `value` as an Int32Array of exactly `expected` values.
inline bool readInts(napi_env env, napi_value value, const char* name, size_t expected, const int32_t** data) {
  napi_typedarray_type type;
  size_t length = 0;
  void* raw = nullptr;
  bool isTypedArray = false;
  napi_is_typedarray(env, value, &isTypedArray);
  if (isTypedArray) napi_get_typedarray_info(env, value, &type, &length, &raw, nullptr, nullptr);
  if (throwIf(env, !isTypedArray || type != napi_int32_array || length != expected,
              std::string(name) + " must be an Int32Array of " + std::to_string(expected) + " values")) {
    return false;
  }
  *data = static_cast<const int32_t*>(raw);
  return true;
}

// A kernel group's functions, added to the addon's exports under their names.
struct NamedFunction {
  const char* name;
  napi_callback function;
};

inline void defineFunctions(napi_env env, napi_value exports, std::initializer_list<NamedFunction> functions) {
  std::vector<napi_property_descriptor> properties;
  for (const auto& f : functions) properties.push_back({f.name, nullptr, f.function, nullptr, nullptr, nullptr, napi_default, nullptr});
  napi_define_properties(env, exports, properties.size(), properties.data());
}

}  // namespace napi_args
