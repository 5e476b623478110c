// Unit tests of <taskio/run.hpp>: run, runner, shutdown, signals (loop
// callbacks: test/unit/loop_callbacks.cpp).
#include <taskio/run.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/signal_set_service.hpp>

#include <csignal>
#include <thread>

#include <unistd.h>

using namespace taskio_test;

namespace {
asio::awaitable<int> answer() { co_return 42; }

/// True when SIGINT is ignored in this process (started by nohup-like tools
/// or as a background job of a non-interactive shell): taskio then leaves it
/// alone (as asyncio.Runner), so a raised SIGINT is lost and a test relying
/// on it would wait for it forever. Such tests skip themselves.
bool sigint_ignored() {
  struct sigaction sa {};
  ::sigaction(SIGINT, nullptr, &sa);
  return sa.sa_handler == SIG_IGN;
}
}  // namespace

#define SKIP_WHEN_SIGINT_IS_IGNORED()                                                                     \
  if (sigint_ignored()) {                                                                                 \
    BOOST_TEST_MESSAGE("skipped: SIGINT is ignored in this process (nohup, a background job): taskio " \
                       "leaves it alone, a raised SIGINT is lost");                                       \
    return;                                                                                               \
  }

BOOST_AUTO_TEST_SUITE(run)

BOOST_AUTO_TEST_CASE(run_returns_main_s_value) { BOOST_TEST(taskio::run(answer()) == 42); }

BOOST_AUTO_TEST_CASE(run_rethrows_main_s_exception) {
  BOOST_CHECK_THROW(taskio::run([]() -> asio::awaitable<void> {
                      throw std::domain_error("main failed");
                      co_return;
                    }()),
                    std::domain_error);
}

BOOST_AUTO_TEST_CASE(run_inside_a_running_loop_is_an_error) {
  run_virtual([]() -> asio::awaitable<void> {
    try {
      taskio::run(answer());
      BOOST_FAIL("expected an error");
    } catch (const std::runtime_error& e) {
      BOOST_TEST(std::string(e.what()).find("cannot be called from a running event loop") != std::string::npos);
    }
    co_return;
  }());
}

BOOST_AUTO_TEST_CASE(an_hour_of_virtual_time_takes_no_time) {
  auto start = std::chrono::steady_clock::now();
  auto t = taskio::run(
      []() -> asio::awaitable<taskio::clock::duration> {
        co_await taskio::sleep(1h);
        co_return vt();
      }(),
      {.virtual_time = true});
  BOOST_TEST(t == std::chrono::nanoseconds(1h));
  BOOST_TEST((std::chrono::steady_clock::now() - start) < 1h);
}

BOOST_AUTO_TEST_CASE(shutdown_cancels_and_awaits_remaining_tasks) {
  taskio::task<void> left;
  bool cleaned = false;
  taskio::run(
      [](taskio::task<void>& left, bool& cleaned) -> asio::awaitable<void> {
        left = taskio::create_task([](bool& cleaned) -> asio::awaitable<void> {
          std::exception_ptr e;
          try {
            co_await forever();
          } catch (const taskio::cancelled_error&) {
            e = std::current_exception();
          }
          co_await taskio::sleep(1s);  // cleanup may still await
          cleaned = true;
          std::rethrow_exception(e);
        }(cleaned));
        co_await taskio::sleep(1s);
      }(left, cleaned),
      {.virtual_time = true});
  BOOST_TEST(cleaned);
  BOOST_TEST(left.cancelled());
}

BOOST_AUTO_TEST_CASE(shutdown_logs_exceptions_of_remaining_tasks) {
  clear_logs();
  taskio::run(
      []() -> asio::awaitable<void> {
        taskio::create_task([]() -> asio::awaitable<void> {
          try {
            co_await forever();
          } catch (const taskio::cancelled_error&) {
            throw std::runtime_error("failed while cancelled");
          }
        }());
        co_await taskio::sleep(1s);
      }(),
      {.virtual_time = true});
  BOOST_TEST(logged("unhandled exception during taskio::run() shutdown: <Task finished name='Task-"));
  BOOST_TEST(logged(" exception=failed while cancelled created at "));
  BOOST_TEST(!logged("never retrieved"));
}

BOOST_AUTO_TEST_CASE(tasks_created_during_shutdown_are_awaited_too) {
  taskio::task<void> late;
  taskio::run(
      [](taskio::task<void>& late) -> asio::awaitable<void> {
        taskio::create_task([](taskio::task<void>& late) -> asio::awaitable<void> {
          try {
            co_await forever();
          } catch (const taskio::cancelled_error&) {
            late = taskio::create_task(forever());
            throw;
          }
        }(late));
        co_await taskio::sleep(1s);
      }(late),
      {.virtual_time = true});
  BOOST_REQUIRE(late);
  BOOST_TEST(late.cancelled());
}

BOOST_AUTO_TEST_CASE(runner_runs_several_times_then_closes) {
  taskio::runner r({.virtual_time = true});
  BOOST_TEST(r.run(answer()) == 42);
  BOOST_TEST(r.run([]() -> asio::awaitable<int> {
    co_await taskio::sleep(1s);
    co_return static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(vt()).count());
  }()) == 1);
  r.close();
  r.close();  // idempotent
  try {
    r.run(answer());
    BOOST_FAIL("a closed runner must refuse to run");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("Runner is closed") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(deadlock_is_reported_instead_of_hanging) {
  try {
    taskio::run(
        []() -> asio::awaitable<void> {
          taskio::future<int> never;
          co_await never.async_wait();
        }(),
        {.virtual_time = true, .handle_signals = false});
    BOOST_FAIL("expected a deadlock error");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("deadlock") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(first_sigint_cancels_main_and_becomes_keyboard_interrupt) {
  SKIP_WHEN_SIGINT_IS_IGNORED();
  bool saw_cancel = false;
  BOOST_CHECK_THROW(taskio::run(
                        [](bool& saw) -> asio::awaitable<void> {
                          taskio::call_soon([] { std::raise(SIGINT); });
                          try {
                            co_await taskio::sleep(10s);
                          } catch (const taskio::cancelled_error&) {
                            saw = true;
                            throw;
                          }
                        }(saw_cancel)),
                    taskio::keyboard_interrupt);
  BOOST_TEST(saw_cancel);
}

BOOST_AUTO_TEST_CASE(main_may_handle_the_sigint_cancellation) {
  SKIP_WHEN_SIGINT_IS_IGNORED();
  int v = taskio::run([]() -> asio::awaitable<int> {
    taskio::call_soon([] { std::raise(SIGINT); });
    try {
      co_await taskio::sleep(10s);
    } catch (const taskio::cancelled_error&) {
      co_return 7;  // handled: run returns the value
    }
    co_return 0;
  }());
  BOOST_TEST(v == 7);
}

BOOST_AUTO_TEST_CASE(second_sigint_raises_at_once) {
  SKIP_WHEN_SIGINT_IS_IGNORED();
  BOOST_CHECK_THROW(taskio::run([]() -> asio::awaitable<void> {
                      taskio::call_soon([] { std::raise(SIGINT); });
                      try {
                        co_await taskio::sleep(10s);
                      } catch (const taskio::cancelled_error&) {
                      }
                      taskio::call_soon([] { std::raise(SIGINT); });
                      co_await taskio::sleep(10s);  // ignores the first; the second stops the loop
                    }()),
                    taskio::keyboard_interrupt);
}

namespace {
/// SIGINT's current handler.
void (*sigint_disposition())(int) {
  struct sigaction sa {};
  ::sigaction(SIGINT, nullptr, &sa);
  return sa.sa_handler;
}
}  // namespace

// Ctrl-C handling must not switch Asio's reactor on: a running reactor costs
// an epoll_wait per handler when handlers are queued one at a time.
BOOST_AUTO_TEST_CASE(sigint_is_handled_without_asio_s_reactor) {
  SKIP_WHEN_SIGINT_IS_IGNORED();
  taskio::runner r;  // handle_signals by default
  bool installed = false;
  r.run([](bool& installed) -> asio::awaitable<void> {
    installed = sigint_disposition() != SIG_DFL;
    co_await taskio::sleep(0s);  // posted steps only
  }(installed));
  BOOST_TEST(installed);
  BOOST_TEST(sigint_disposition() == SIG_DFL);  // restored
  auto& ctx = r.get_executor().context();
  BOOST_TEST(!asio::has_service<asio::detail::signal_set_service>(ctx));
  BOOST_TEST(!asio::has_service<asio::detail::reactor>(ctx));
}

// A loop that never runs out of ready handlers (so never blocks) notices
// SIGINT at the end of a task's step.
BOOST_AUTO_TEST_CASE(sigint_reaches_a_loop_that_is_never_idle) {
  SKIP_WHEN_SIGINT_IS_IGNORED();
  BOOST_CHECK_THROW(taskio::run([]() -> asio::awaitable<void> {
                      taskio::call_soon([] { std::raise(SIGINT); });
                      for (;;) co_await taskio::sleep(0s);  // always something ready
                    }()),
                    taskio::keyboard_interrupt);
}

// A loop blocked with nothing ready (here: in a real-time sleep) still wakes
// up for SIGINT.
BOOST_AUTO_TEST_CASE(sigint_wakes_a_blocked_loop) {
  SKIP_WHEN_SIGINT_IS_IGNORED();
  bool saw_cancel = false;
  std::thread killer([] {
    std::this_thread::sleep_for(100ms);
    ::kill(::getpid(), SIGINT);
  });
  BOOST_CHECK_THROW(taskio::run([](bool& saw) -> asio::awaitable<void> {
                      try {
                        co_await taskio::sleep(60s);
                      } catch (const taskio::cancelled_error&) {
                        saw = true;
                        throw;
                      }
                    }(saw_cancel)),
                    taskio::keyboard_interrupt);
  killer.join();
  BOOST_TEST(saw_cancel);
  BOOST_TEST(sigint_disposition() == SIG_DFL);
}

// As asyncio.Runner: only on the main thread, and only over the default
// disposition (an ignored SIGINT stays ignored).
BOOST_AUTO_TEST_CASE(sigint_is_left_alone_off_the_main_thread_or_when_not_default) {
  bool installed = true;
  const auto before = sigint_disposition();  // SIG_IGN when the process started with SIGINT ignored
  std::thread([&] {
    taskio::run([](bool& installed, void (*before)(int)) -> asio::awaitable<void> {
      installed = sigint_disposition() != before;
      co_return;
    }(installed, before));
  }).join();
  BOOST_TEST(!installed);

  ::signal(SIGINT, SIG_IGN);
  const int v = taskio::run([]() -> asio::awaitable<int> {
    BOOST_TEST(sigint_disposition() == SIG_IGN);
    std::raise(SIGINT);  // ignored: main is not cancelled
    co_await taskio::sleep(10ms);
    co_return 1;
  }());
  ::signal(SIGINT, SIG_DFL);
  BOOST_TEST(v == 1);
}

BOOST_AUTO_TEST_SUITE_END()
