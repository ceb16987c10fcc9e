// The native convolution passes on the 15 convolution geometries of one baseline AE training step
// at 128², batch 8 (as bench:conv-layers lists them), without Node or TF.js: OpenBLAS's
// (shared/ml/backend/native/conv-passes.h) and, built with -DAELAB_ONEDNN, oneDNN's
// (conv-onednn.h) side by side. Per pass the fastest of `repeats` calls, by the process's CPU
// time (every thread's) or, with WALL=1 in the environment, by wall time. CPU time on one thread
// measures the work a pass does and barely moves with the machine's load. See bench/README.md.
// Usage: native-conv-passes [threads, default 1] [repeats, default 5]
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "../shared/ml/backend/native/conv-passes.h"
#ifdef AELAB_ONEDNN
#include "../shared/ml/backend/native/conv-onednn.h"
#endif

extern "C" void openblas_set_num_threads(int);
extern "C" char* openblas_get_corename(void);

namespace {

using conv_passes::ConvGeometry;

// batch, inH, inW, inC, outH, outW, outC, kh, kw, strideH, strideW, padTop, padLeft
const std::vector<ConvGeometry> kBaselineStep = {
    {8, 128, 128, 1, 64, 64, 16, 3, 3, 2, 2, 1, 1},   {8, 64, 64, 16, 32, 32, 32, 3, 3, 2, 2, 1, 1},
    {8, 32, 32, 32, 16, 16, 64, 3, 3, 2, 2, 1, 1},    {8, 16, 16, 64, 8, 8, 128, 3, 3, 2, 2, 1, 1},
    {8, 8, 8, 128, 4, 4, 256, 3, 3, 2, 2, 1, 1},      {8, 4, 4, 256, 2, 2, 256, 3, 3, 2, 2, 1, 1},
    {8, 2, 2, 256, 1, 1, 256, 3, 3, 2, 2, 1, 1},      {8, 2, 2, 256, 2, 2, 256, 3, 3, 1, 1, 1, 1},
    {8, 4, 4, 256, 4, 4, 256, 3, 3, 1, 1, 1, 1},      {8, 8, 8, 256, 8, 8, 256, 3, 3, 1, 1, 1, 1},
    {8, 16, 16, 256, 16, 16, 128, 3, 3, 1, 1, 1, 1},  {8, 32, 32, 128, 32, 32, 64, 3, 3, 1, 1, 1, 1},
    {8, 64, 64, 64, 64, 64, 32, 3, 3, 1, 1, 1, 1},    {8, 128, 128, 32, 128, 128, 16, 3, 3, 1, 1, 1, 1},
    {8, 128, 128, 16, 128, 128, 1, 1, 1, 1, 1, 0, 0},
};

double nowMs(bool wall) {
  timespec t;
  clock_gettime(wall ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

template <typename Pass>
double fastestMs(Pass pass, int repeats, bool wall) {
  pass();
  double best = 1e300;
  for (int i = 0; i < repeats; ++i) {
    const double start = nowMs(wall);
    pass();
    best = std::min(best, nowMs(wall) - start);
  }
  return best;
}

std::vector<float> randomValues(int64_t count, std::mt19937& random) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(count);
  for (float& v : values) v = uniform(random);
  return values;
}

// The three passes of one geometry by one library: forward, input gradient, filter gradient.
struct Passes {
  std::function<void()> forward, input, filter;
};

struct Tensors {
  std::vector<float> x, w, dy, y, dx, dw;
};

Passes openblasPasses(const ConvGeometry& g, Tensors& t) {
  return {[&g, &t] { conv_passes::conv2dForward(g, t.x.data(), t.w.data(), t.y.data()); },
          [&g, &t] { conv_passes::conv2dBackpropInput(g, t.dy.data(), t.w.data(), t.dx.data()); },
          [&g, &t] { conv_passes::conv2dBackpropFilter(g, t.x.data(), t.dy.data(), t.dw.data()); }};
}

#ifdef AELAB_ONEDNN
Passes onednnPasses(const ConvGeometry& g, Tensors& t) {
  return {[&g, &t] { conv_onednn::conv2dForward(g, t.x.data(), t.w.data(), t.y.data()); },
          [&g, &t] { conv_onednn::conv2dBackpropInput(g, t.dy.data(), t.w.data(), t.dx.data()); },
          [&g, &t] { conv_onednn::conv2dBackpropFilter(g, t.x.data(), t.dy.data(), t.dw.data()); }};
}
#endif

std::vector<Passes (*)(const ConvGeometry&, Tensors&)> libraries() {
#ifdef AELAB_ONEDNN
  return {openblasPasses, onednnPasses};
#else
  return {openblasPasses};
#endif
}

}  // namespace

int main(int argc, char** argv) {
  conv_passes::computeThreads = argc > 1 ? std::atoi(argv[1]) : 1;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  const bool wall = std::getenv("WALL") != nullptr;
  openblas_set_num_threads(1);
#ifdef AELAB_ONEDNN
  omp_set_num_threads(conv_passes::computeThreads);
  std::printf("OpenBLAS %s and oneDNN %d.%d.%d (each cell: OpenBLAS / oneDNN), ", openblas_get_corename(), dnnl::version()->major,
              dnnl::version()->minor, dnnl::version()->patch);
#else
  std::printf("OpenBLAS %s, ", openblas_get_corename());
#endif
  std::printf("%d thread(s), fastest of %d, ms of %s\n", conv_passes::computeThreads, repeats, wall ? "wall time" : "CPU time");
  std::printf("| x → y (NHWC) | kernel/stride | forward | input grad | filter grad |\n|---|---|--:|--:|--:|\n");
  std::mt19937 random(7);
  const auto libs = libraries();
  std::vector<double> totals(3 * libs.size(), 0.0);
  for (const ConvGeometry& g : kBaselineStep) {
    Tensors t{randomValues(g.batch * g.inH * g.inW * g.inC, random), randomValues(g.patchWidth() * g.outC, random),
              randomValues(g.rowCount() * g.outC, random)};
    t.y.resize(t.dy.size()), t.dx.resize(t.x.size()), t.dw.resize(t.w.size());
    std::vector<std::string> cells(3);
    for (size_t lib = 0; lib < libs.size(); ++lib) {
      const Passes passes = libs[lib](g, t);
      const double times[3] = {fastestMs(passes.forward, repeats, wall), fastestMs(passes.input, repeats, wall),
                               fastestMs(passes.filter, repeats, wall)};
      for (int k = 0; k < 3; ++k) {
        totals[lib * 3 + k] += times[k];
        char cell[32];
        std::snprintf(cell, sizeof(cell), "%s%.2f", lib == 0 ? "" : " / ", times[k]);
        cells[k] += cell;
      }
    }
    std::printf("| %ld×%ld×%ld×%ld → %ld×%ld×%ld | %ld×%ld/%ld | %s | %s | %s |\n", g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.outC,
                g.kh, g.kw, g.strideH, cells[0].c_str(), cells[1].c_str(), cells[2].c_str());
  }
  std::printf("| all | |");
  for (int k = 0; k < 3; ++k) {
    for (size_t lib = 0; lib < libs.size(); ++lib) std::printf("%s%.1f", lib == 0 ? " " : " / ", totals[lib * 3 + k]);
    std::printf(" |");
  }
  std::printf("\n");
}
