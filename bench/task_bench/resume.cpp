//
// bench/task_bench/resume.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// resume: one coroutine resuming N times from `co_await
// asio::post(asio::use_awaitable)`, nothing else. taskio: the main task
// (each resumption goes through the task's executor and the kernel's step
// hook: which task runs, its context, the step's bookkeeping); Asio: a
// co_spawned coroutine on the io_context's own executor. One more line,
// `taskio_resume_step_hook`, is the difference of the two medians: the step
// hook's price per resumption in ns.

#include "harness.hpp"

#include <cstdio>

namespace bench {

namespace {

asio::awaitable<void> resume_n(std::size_t n, sample& s) {
  window w{n, &s};
  w.start();
  for (std::size_t i = 0; i < n; ++i) co_await asio::post(asio::use_awaitable);
  w.stop();
}

}  // namespace

extern const figure_def resume{
    {
        {"asio_resume", asio_side(resume_n)},
        {"taskio_resume", taskio_side(resume_n)},
    },
    [](const options& o) {
      const std::size_t n = o.scaled(1000000);
      const std::string tag = o.tag(n);
      const auto m = figure(o, "resume", {"asio_resume", "taskio_resume"}, tag, n, timed_metrics());
      if (m.empty() || counting_allocs) return;
      // derived: what the step hook adds to one resumption
      std::printf("name=taskio_resume_step_hook%s value=%.1f unit=ns/op derived=taskio_resume%s-asio_resume%s n=%zu\n",
                  tag.c_str(), m.at("taskio_resume" + tag) - m.at("asio_resume" + tag), tag.c_str(), tag.c_str(), n);
      std::fflush(stdout);
    }};

}  // namespace bench
