// The threads of the addon's kernels: one count for every kernel (the addon's setThreads, from
// AELAB_THREADS), and the split of a pass into contiguous ranges, one per thread. A range is
// fixed by the sizes and the thread count alone, so a kernel that sums its ranges' partial
// results in range order gives the same bits on every run with that thread count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace native_parallel {

// Threads of every kernel (the addon's setThreads).
inline int computeThreads = 1;

// Items [begin, end) that one thread works on.
struct RowRange {
  int64_t begin, end;
};

// Runs `work(part, range)` for every range, each on its own thread (the caller's thread takes
// the last).
template <typename Work>
void forEachRange(const std::vector<RowRange>& ranges, Work work) {
  const int64_t parts = static_cast<int64_t>(ranges.size());
  if (parts == 1) {
    work(0, ranges[0]);
    return;
  }
  std::vector<std::thread> helpers;
  for (int64_t p = 0; p + 1 < parts; ++p) helpers.emplace_back([&, p] { work(p, ranges[p]); });
  work(parts - 1, ranges[parts - 1]);
  for (auto& helper : helpers) helper.join();
}

// [0, count) in at most computeThreads contiguous ranges of at least `minPerThread` items each
// (one range when there are too few items to be worth a thread), each but the last a multiple
// of `align` items long.
inline std::vector<RowRange> evenRanges(int64_t count, int64_t minPerThread, int64_t align = 1) {
  const int64_t units = count / align;
  const int64_t worthwhile = std::max<int64_t>(count / std::max<int64_t>(minPerThread, 1), 1);
  const int64_t parts = std::max<int64_t>(std::min<int64_t>({static_cast<int64_t>(computeThreads), worthwhile, units}), 1);
  std::vector<RowRange> ranges;
  for (int64_t p = 0; p < parts; ++p) {
    const int64_t begin = units * p / parts * align;
    const int64_t end = p + 1 == parts ? count : units * (p + 1) / parts * align;
    ranges.push_back({begin, end});
  }
  return ranges;
}

}  // namespace native_parallel
