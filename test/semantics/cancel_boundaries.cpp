// Boundary conversion: a cancellation that taskio delivered into a plain Asio
// operation (awaited with plain use_awaitable) leaves every taskio boundary
// as cancelled_error(msg), whatever operation the body awaited: a task's end,
// task_group, timeout scopes, async_with, wait_for, shield, gather children.
// Also the debug-mode warning for an abort that was swallowed.
#include "../test_support.hpp"

#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>

using namespace taskio_test;
using taskio::cancelled_error;

namespace {
using channel_t = asio::experimental::channel<void(boost::system::error_code, int)>;
using stream = asio::local::stream_protocol::socket;

/// "cancelled:<msg>", "timeout", "system_error", "other" or "none".
std::string kind(const std::exception_ptr& e) {
  if (!e) return "none";
  try {
    std::rethrow_exception(e);
  } catch (const cancelled_error& c) {
    return "cancelled:" + c.message();
  } catch (const taskio::timeout_error&) {
    return "timeout";
  } catch (const boost::system::system_error&) {
    return "system_error";
  } catch (...) {
    return "other";
  }
}

asio::awaitable<void> wait_timer(std::chrono::hours h) {
  asio::steady_timer timer(co_await asio::this_coro::executor, h);
  co_await timer.async_wait(asio::use_awaitable);
}

/// A manager recording what its aexit receives.
struct recording_manager {
  std::string* seen;
  asio::awaitable<void> aenter() { co_return; }
  asio::awaitable<bool> aexit(std::exception_ptr e) {
    *seen = kind(e);
    co_return false;
  }
};

/// Runs `body` in a task, cancels it with `msg` after 1 s, and returns what
/// the body's boundary let out (caught inside the task) and the task.
template <class F>
asio::awaitable<std::string> outcome_after_cancel(F body, std::string msg) {
  std::string out = "unset";
  auto t = taskio::create_task([](F body, std::string& out) -> asio::awaitable<void> {
    std::exception_ptr e;
    try {
      co_await body();
    } catch (...) {
      e = std::current_exception();
    }
    out = kind(e);
    if (e) std::rethrow_exception(e);
  }(std::move(body), out));
  co_await taskio::sleep(1s);
  t.cancel(msg);
  co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
  co_return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(cancel_boundaries)

TASKIO_TEST_CASE(task_group_lets_out_cancelled_error_after_a_steady_timer) {
  const std::string out = co_await outcome_after_cancel(
      []() -> asio::awaitable<void> {
        co_await taskio::async_with(taskio::task_group{}, [](taskio::task_group& tg) -> asio::awaitable<void> {
          tg.create_task(wait_timer(10h));
          co_await wait_timer(10h);
        });
      },
      "outside");
  BOOST_TEST(out == "cancelled:outside");
}

TASKIO_TEST_CASE(task_group_lets_out_cancelled_error_after_a_socket_read) {
  auto ex = co_await asio::this_coro::executor;
  stream a(ex), b(ex);
  asio::local::connect_pair(a, b);
  const std::string out = co_await outcome_after_cancel(
      [&a]() -> asio::awaitable<void> {
        co_await taskio::async_with(taskio::task_group{}, [&a](taskio::task_group&) -> asio::awaitable<void> {
          char buf[4];
          co_await a.async_read_some(asio::buffer(buf), asio::use_awaitable);
        });
      },
      "outside");
  BOOST_TEST(out == "cancelled:outside");
}

TASKIO_TEST_CASE(a_manager_sees_cancelled_error_in_aexit) {
  std::string seen;
  channel_t ch(co_await asio::this_coro::executor, 1);
  const std::string out = co_await outcome_after_cancel(
      [&]() -> asio::awaitable<void> {
        co_await taskio::async_with(recording_manager{&seen}, [&](recording_manager&) -> asio::awaitable<void> {
          co_await ch.async_receive(asio::use_awaitable);
        });
      },
      "bye");
  BOOST_TEST(seen == "cancelled:bye");
  BOOST_TEST(out == "cancelled:bye");
}

TASKIO_TEST_CASE(an_outside_cancel_passes_a_timeout_scope_as_cancelled_error) {
  const std::string out = co_await outcome_after_cancel(
      []() -> asio::awaitable<void> { co_await taskio::timeout(10s, wait_timer(10h)); }, "outer");
  BOOST_TEST(out == "cancelled:outer");
}

TASKIO_TEST_CASE(a_timeout_around_a_channel_receive_is_a_timeout_error_with_a_cancelled_error_inside) {
  channel_t ch(co_await asio::this_coro::executor, 1);
  auto e = co_await catch_exception(
      taskio::timeout(1s, [](channel_t& ch) -> asio::awaitable<int> {
        co_return co_await ch.async_receive(asio::use_awaitable);
      }(ch)));
  BOOST_TEST(kind(e) == "timeout");
  std::string nested = "none";
  try {
    std::rethrow_exception(e);
  } catch (const taskio::timeout_error& t) {
    try {
      std::rethrow_if_nested(t);
    } catch (...) {
      nested = kind(std::current_exception());
    }
  }
  BOOST_TEST(nested == "cancelled:");
  BOOST_TEST(taskio::current_task().cancelling() == 0);
}

TASKIO_TEST_CASE(wait_for_an_awaitable_on_a_timer_lets_out_the_callers_cancel) {
  const std::string out = co_await outcome_after_cancel(
      []() -> asio::awaitable<void> { co_await taskio::wait_for(wait_timer(10h), 10s); }, "stop waiting");
  BOOST_TEST(out == "cancelled:stop waiting");
}

TASKIO_TEST_CASE(shield_reports_the_inner_tasks_cancel_message) {
  auto inner = taskio::create_task(wait_timer(10h));
  auto awaiter = taskio::create_task([](taskio::task<void> inner) -> asio::awaitable<std::string> {
    try {
      co_await taskio::shield(inner);
    } catch (...) {
      co_return kind(std::current_exception());
    }
    co_return "none";
  }(inner));
  co_await taskio::sleep(1s);
  inner.cancel("inner stop");
  BOOST_TEST(co_await awaiter.async_wait() == "cancelled:inner stop");
  BOOST_TEST(inner.cancelled());
}

TASKIO_TEST_CASE(gather_children_on_plain_operations_end_cancelled_with_the_message) {
  auto ex = co_await asio::this_coro::executor;
  stream a(ex), b(ex);
  asio::local::connect_pair(a, b);
  channel_t ch(ex, 1);
  auto g = taskio::create_task([](stream& a, channel_t& ch) -> asio::awaitable<std::string> {
    try {
      co_await taskio::gather(
          [](stream& a) -> asio::awaitable<void> {
            char buf[4];
            co_await a.async_read_some(asio::buffer(buf), asio::use_awaitable);
          }(a),
          [](channel_t& ch) -> asio::awaitable<int> { co_return co_await ch.async_receive(asio::use_awaitable); }(ch));
    } catch (...) {
      co_return kind(std::current_exception());
    }
    co_return "none";
  }(a, ch));
  co_await taskio::sleep(1s);
  g.cancel("all of them");
  BOOST_TEST(co_await g.async_wait() == "cancelled:all of them");
}

// --- the debug-mode warning ----------------------------------------------------

namespace {
void run_debug(asio::awaitable<void> body) {
  taskio::run(std::move(body), {.debug = true, .virtual_time = true, .handle_signals = false});
}

asio::awaitable<void> swallow_then_sleep() {
  try {
    co_await wait_timer(10h);
  } catch (const std::exception&) {
  }
  co_await taskio::sleep(10s);
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_swallowed_abort_is_reported_with_the_task_and_its_creation_site) {
  clear_logs();
  run_debug([]() -> asio::awaitable<void> {
    auto t = taskio::create_task(swallow_then_sleep(), "swallower");
    co_await taskio::sleep(1s);
    t.cancel();
    co_await taskio::sleep(1s);
    t.cancel();  // stop it for good (the sleep takes it)
    co_await catch_exception(t.async_wait());
  }());
  bool found = false;
  for (const auto& r : captured_logs())
    if (r.severity == boost::log::trivial::warning && r.message.find("swallowed a cancellation") != std::string::npos) {
      found = true;
      BOOST_TEST(r.task == "swallower");
      BOOST_TEST(r.message.find("name='swallower'") != std::string::npos);
      BOOST_TEST(r.message.find("cancel_boundaries.cpp") != std::string::npos);
    }
  BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(no_warning_when_the_abort_is_rethrown_or_withdrawn) {
  clear_logs();
  run_debug([]() -> asio::awaitable<void> {
    auto rethrows = taskio::create_task(wait_timer(10h));
    auto withdraws = taskio::create_task([]() -> asio::awaitable<void> {
      try {
        co_await wait_timer(10h);
      } catch (const std::exception&) {
        taskio::current_task().uncancel();
      }
      co_await taskio::sleep(1s);
    }());
    co_await taskio::sleep(1s);
    rethrows.cancel();
    withdraws.cancel();
    co_await catch_exception(rethrows.async_wait());
    co_await withdraws.async_wait();
    BOOST_TEST(rethrows.cancelled());
  }());
  BOOST_TEST(!logged("swallowed a cancellation"));
}

BOOST_AUTO_TEST_CASE(no_warning_outside_debug_mode) {
  clear_logs();
  run_virtual([]() -> asio::awaitable<void> {
    auto t = taskio::create_task(swallow_then_sleep());
    co_await taskio::sleep(1s);
    t.cancel();
    co_await taskio::sleep(1s);
    t.cancel();
    co_await catch_exception(t.async_wait());
  }());
  BOOST_TEST(!logged("swallowed a cancellation"));
}

BOOST_AUTO_TEST_SUITE_END()
