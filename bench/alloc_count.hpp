//
// bench/alloc_count.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Heap accounting for the benchmarks. Any translation unit may include it;
// exactly one per executable defines BENCH_ALLOC_COUNT_INTERPOSE first
// (task_bench: task_bench/harness.cpp), and every translation unit of the
// executable is built with the same BENCH_COUNT_ALLOCS setting.
//
// Built with -DBENCH_COUNT_ALLOCS the executable interposes the C allocator
// (malloc, calloc, realloc, aligned_alloc, memalign, posix_memalign, free)
// and forwards to glibc's __libc_* entry points, counting allocations and
// live bytes (usable size). Asio allocates coroutine frames and handlers
// with aligned_alloc, not operator new, so counting must happen at this
// level; operator new ends up in malloc and is counted too. The counters
// are plain integers: single-threaded use only.
//
// Without the macro nothing is interposed and allocs_now() returns zeros;
// heap_in_use() (glibc's mallinfo2: bytes in allocated chunks, headers
// included) works in both builds.

#ifndef TASKIO_BENCH_ALLOC_COUNT_HPP
#define TASKIO_BENCH_ALLOC_COUNT_HPP

#include <cstddef>
#include <cstdint>
#include <cstdlib>  // before the definitions below: they must redeclare glibc's

#include <malloc.h>

#ifdef BENCH_COUNT_ALLOCS
#include <cerrno>

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}

namespace bench::alloc_stats {
inline std::uint64_t count = 0;
inline std::int64_t live_bytes = 0;
inline void* note(void* p) {
  if (p) {
    ++count;
    live_bytes += static_cast<std::int64_t>(malloc_usable_size(p));
  }
  return p;
}
}  // namespace bench::alloc_stats

#ifdef BENCH_ALLOC_COUNT_INTERPOSE
extern "C" {
void* malloc(std::size_t n) { return bench::alloc_stats::note(__libc_malloc(n)); }
void* calloc(std::size_t a, std::size_t b) { return bench::alloc_stats::note(__libc_calloc(a, b)); }
void* aligned_alloc(std::size_t align, std::size_t n) { return bench::alloc_stats::note(__libc_memalign(align, n)); }
void* memalign(std::size_t align, std::size_t n) { return bench::alloc_stats::note(__libc_memalign(align, n)); }
int posix_memalign(void** out, std::size_t align, std::size_t n) {
  void* p = bench::alloc_stats::note(__libc_memalign(align, n));
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
void* realloc(void* p, std::size_t n) {
  using namespace bench::alloc_stats;
  if (p) live_bytes -= static_cast<std::int64_t>(malloc_usable_size(p));
  void* q = __libc_realloc(p, n);
  if (q) {
    ++count;
    live_bytes += static_cast<std::int64_t>(malloc_usable_size(q));
  } else if (p && n) {
    live_bytes += static_cast<std::int64_t>(malloc_usable_size(p));  // p is unchanged
  }
  return q;
}
void free(void* p) {
  if (!p) return;
  bench::alloc_stats::live_bytes -= static_cast<std::int64_t>(malloc_usable_size(p));
  __libc_free(p);
}
}
#endif  // BENCH_ALLOC_COUNT_INTERPOSE
#endif  // BENCH_COUNT_ALLOCS

namespace bench {

/// True in the allocation-counting build.
constexpr bool counting_allocs =
#ifdef BENCH_COUNT_ALLOCS
    true;
#else
    false;
#endif

struct alloc_snapshot {
  std::uint64_t count = 0;   // allocations so far (counting build only)
  std::int64_t live = 0;     // live usable bytes (counting build only)
  std::int64_t in_use = 0;   // mallinfo2: bytes in allocated chunks (both builds)
};

inline std::int64_t heap_in_use() {
  const struct mallinfo2 mi = mallinfo2();
  return static_cast<std::int64_t>(mi.uordblks + mi.hblkhd);
}

inline alloc_snapshot allocs_now() {
#ifdef BENCH_COUNT_ALLOCS
  return {alloc_stats::count, alloc_stats::live_bytes, heap_in_use()};
#else
  return {0, 0, heap_in_use()};
#endif
}

/// Per-operation differences between two snapshots.
struct alloc_delta {
  double allocs = 0;     // allocations per op
  double live = 0;       // live usable bytes per op (counting build)
  double in_use = 0;     // mallinfo2 bytes per op
};

inline alloc_delta per_op(const alloc_snapshot& a, const alloc_snapshot& b, std::size_t n) {
  const double dn = static_cast<double>(n);
  return {static_cast<double>(b.count - a.count) / dn, static_cast<double>(b.live - a.live) / dn,
          static_cast<double>(b.in_use - a.in_use) / dn};
}

}  // namespace bench

#endif  // TASKIO_BENCH_ALLOC_COUNT_HPP
