// The native convolution passes (shared/ml/backend/native/conv-passes.h) on the 15 convolution
// geometries of one baseline AE training step at 128², batch 8 (as bench:conv-layers lists them),
// without Node or TF.js: per pass the fastest of `repeats` calls, by the process's CPU time
// (every thread's) or, with WALL=1 in the environment, by wall time. CPU time on one thread
// measures the work a pass does and barely moves with the machine's load. See bench/README.md.
// Usage: native-conv-passes [threads, default 1] [repeats, default 5]
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <vector>

#include "../shared/ml/backend/native/conv-passes.h"

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

}  // namespace

int main(int argc, char** argv) {
  conv_passes::computeThreads = argc > 1 ? std::atoi(argv[1]) : 1;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  const bool wall = std::getenv("WALL") != nullptr;
  openblas_set_num_threads(1);
  std::printf("OpenBLAS %s, %d thread(s), fastest of %d, ms of %s\n", openblas_get_corename(), conv_passes::computeThreads, repeats,
              wall ? "wall time" : "CPU time");
  std::printf("| x → y (NHWC) | kernel/stride | forward | input grad | filter grad |\n|---|---|--:|--:|--:|\n");
  std::mt19937 random(7);
  double totals[3] = {0, 0, 0};
  for (const ConvGeometry& g : kBaselineStep) {
    const auto x = randomValues(g.batch * g.inH * g.inW * g.inC, random);
    const auto w = randomValues(g.patchWidth() * g.outC, random);
    const auto dy = randomValues(g.rowCount() * g.outC, random);
    std::vector<float> y(dy.size()), dx(x.size()), dw(w.size());
    const double times[3] = {
        fastestMs([&] { conv_passes::conv2dForward(g, x.data(), w.data(), y.data()); }, repeats, wall),
        fastestMs([&] { conv_passes::conv2dBackpropInput(g, dy.data(), w.data(), dx.data()); }, repeats, wall),
        fastestMs([&] { conv_passes::conv2dBackpropFilter(g, x.data(), dy.data(), dw.data()); }, repeats, wall),
    };
    for (int k = 0; k < 3; ++k) totals[k] += times[k];
    std::printf("| %ld×%ld×%ld×%ld → %ld×%ld×%ld | %ld×%ld/%ld | %.2f | %.2f | %.2f |\n", g.batch, g.inH, g.inW, g.inC, g.outH, g.outW,
                g.outC, g.kh, g.kw, g.strideH, times[0], times[1], times[2]);
  }
  std::printf("| all | | %.1f | %.1f | %.1f |\n", totals[0], totals[1], totals[2]);
}
