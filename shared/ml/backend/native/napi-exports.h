// A kernel group's functions added to the addon's exports by name.
#pragma once

#include <node_api.h>

#include <initializer_list>
#include <vector>

namespace napi_exports {

struct NamedFunction {
  const char* name;
  napi_callback function;
};

inline void defineFunctions(napi_env env, napi_value exports, std::initializer_list<NamedFunction> functions) {
  std::vector<napi_property_descriptor> properties;
  for (const NamedFunction& f : functions) properties.push_back({f.name, nullptr, f.function, nullptr, nullptr, nullptr, napi_default, nullptr});
  napi_define_properties(env, exports, properties.size(), properties.data());
}

}  // namespace napi_exports
