// Unit tests of <taskio/timeout.hpp>: the timeout_scope API, its states and
// misuse errors (doc/semantics.md 6.1-6.6, timeout). The race scenarios of 6.7 are in
// test/semantics/timeouts.cpp.
#include <taskio/timeout.hpp>  // first: the header is self-contained

#include "../timeout_support.hpp"

#include <cmath>

using namespace taskio_test;
using taskio::cancelled_error;
using taskio::timeout_scope;

namespace {

/// A body that sleeps for `d`.
auto sleeper(std::chrono::nanoseconds d) {
  return [d](timeout_scope&) -> asio::awaitable<void> { co_await taskio::sleep(d); };
}

/// Runs `body` inside `scope` and returns the exception that escapes.
template <class Body>
asio::awaitable<std::exception_ptr> run_scope(timeout_scope& scope, Body body) {
  co_return co_await catch_exception(taskio::async_with(scope, std::move(body)));
}


bool mentions(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(timeout)

TASKIO_TEST_CASE(no_deadline_lets_the_block_finish) {
  auto scope = taskio::timeout(std::nullopt);
  BOOST_TEST(!scope.when());
  int v = co_await taskio::async_with(scope, [](timeout_scope&) { return value_after(10h, 5); });
  BOOST_TEST(v == 5);
  BOOST_TEST(vt() == 10h);
  BOOST_TEST(!scope.expired());
  BOOST_TEST(scope.repr() == "<Timeout [finished]>");
}

TASKIO_TEST_CASE(block_finishing_in_time_is_untouched) {
  auto scope = taskio::timeout(2s);
  int v = co_await taskio::async_with(scope, [](timeout_scope&) { return value_after(1s, 7); });
  BOOST_TEST(v == 7);
  BOOST_TEST(!scope.expired());
  co_await taskio::sleep(5s);  // the disarmed deadline never cancels the task
  BOOST_TEST(taskio::current_task().cancelling() == 0);
  BOOST_TEST(vt() == 6s);
}

TASKIO_TEST_CASE(expiry_raises_timeout_error_with_the_cancellation_nested) {
  auto scope = taskio::timeout(1500ms);
  auto e = co_await run_scope(scope, sleeper(10h));
  BOOST_TEST(vt() == 1500ms);
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(scope.expired());
  BOOST_TEST(scope.repr() == "<Timeout [expired]>");
  BOOST_TEST(taskio::current_task().cancelling() == 0);
  co_await taskio::sleep(1s);  // nothing left pending: the task runs on normally
  BOOST_TEST(vt() == 2500ms);
}

TASKIO_TEST_CASE(a_temporary_scope_works_with_async_with) {
  auto e = co_await catch_exception(taskio::async_with(taskio::timeout(1s), sleeper(1h)));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(the_deadline_is_fixed_at_the_call) {
  co_await taskio::sleep(1s);
  auto relative = taskio::timeout(5s);
  auto absolute = taskio::timeout_at(taskio::loop_time() + 3s);
  BOOST_TEST(relative.when() == taskio::clock::time_point(6s));
  BOOST_TEST(absolute.when() == taskio::clock::time_point(4s));
  co_await taskio::sleep(2s);
  BOOST_TEST(is_timeout(co_await run_scope(absolute, sleeper(1h))));
  BOOST_TEST(vt() == 4s);
  BOOST_TEST(is_timeout(co_await run_scope(relative, sleeper(1h))));
  BOOST_TEST(vt() == 6s);  // not 4 s + 5 s: created early, expires early
}

TASKIO_TEST_CASE(zero_delay_expires_at_the_first_suspension) {
  auto e = co_await catch_exception(taskio::async_with(taskio::timeout(0s), sleeper(1h)));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 0s);
}

TASKIO_TEST_CASE(a_negative_delay_expires_at_once_like_zero) {
  co_await taskio::sleep(1s);
  auto scope = taskio::timeout(-5s);
  BOOST_TEST((scope.when() == std::optional(taskio::loop_time())));  // "already expired"
  auto e = co_await run_scope(scope, sleeper(1h));
  BOOST_TEST(is_timeout(e));
  e = co_await catch_exception(taskio::timeout(std::chrono::duration<double>(-0.5), value_after(1s, 1)));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(a_floating_point_delay) {
  BOOST_TEST(co_await taskio::timeout(std::chrono::duration<double>(1.5), value_after(1s, 3)) == 3);
  auto e = co_await catch_exception(
      taskio::async_with(taskio::timeout(std::chrono::duration<float, std::milli>(250.f)), sleeper(1h)));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1250ms);
  try {
    (void)taskio::timeout(std::chrono::duration<double>(std::nan("")));
    BOOST_FAIL("expected std::invalid_argument");
  } catch (const std::invalid_argument& x) {
    BOOST_TEST(std::string(x.what()) == "taskio::timeout: delay is NaN");
  }
}

BOOST_AUTO_TEST_CASE(timeout_needs_a_running_loop) {
  try {
    (void)taskio::timeout(1s);
    BOOST_FAIL("expected std::runtime_error");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(mentions(e.what(), "no running event loop"));
  }
  auto scope = taskio::timeout_at(std::nullopt);  // needs no loop
  BOOST_TEST(!scope.when());
}

TASKIO_TEST_CASE(states_and_repr) {
  co_await taskio::sleep(1s);
  auto scope = taskio::timeout(1500ms);
  BOOST_TEST(scope.repr() == "<Timeout [created]>");
  co_await taskio::async_with(scope, [](timeout_scope& cm) -> asio::awaitable<void> {
    BOOST_TEST(cm.repr() == "<Timeout [active] when=2.5>");
    cm.reschedule(taskio::clock::time_point(3s));
    BOOST_TEST(cm.repr() == "<Timeout [active] when=3.0>");
    cm.reschedule(taskio::clock::time_point(1234567us));
    BOOST_TEST(cm.repr() == "<Timeout [active] when=1.235>");
    cm.reschedule(std::nullopt);
    BOOST_TEST(cm.repr() == "<Timeout [active] when=None>");
    std::ostringstream os;
    os << cm;
    BOOST_TEST(os.str() == "<Timeout [active] when=None>");
    co_return;
  });
  BOOST_TEST(scope.repr() == "<Timeout [finished]>");
}

TASKIO_TEST_CASE(a_swallowed_expiry_shows_expiring_then_expired) {
  auto scope = taskio::timeout(1s);
  co_await taskio::async_with(scope, [](timeout_scope& cm) -> asio::awaitable<void> {
    try {
      co_await taskio::sleep(1h);
    } catch (const cancelled_error&) {
    }
    BOOST_TEST(cm.expired());
    BOOST_TEST(cm.repr() == "<Timeout [expiring]>");
    BOOST_TEST(taskio::current_task().cancelling() == 1);
  });
  BOOST_TEST(scope.expired());
  BOOST_TEST(scope.repr() == "<Timeout [expired]>");
  BOOST_TEST(taskio::current_task().cancelling() == 0);
}

TASKIO_TEST_CASE(entering_twice_or_reusing_is_an_error) {
  auto scope = taskio::timeout(10s);
  co_await taskio::async_with(scope, [](timeout_scope& cm) -> asio::awaitable<void> {
    auto e = co_await catch_exception(cm.aenter());
    BOOST_TEST(mentions(what_of(e), "Timeout has already been entered"));
  });
  auto e = co_await run_scope(scope, sleeper(1s));
  BOOST_TEST(mentions(what_of(e), "Timeout has already been entered"));
  BOOST_TEST(vt() == 0s);  // the body did not run
}

TASKIO_TEST_CASE(reschedule_out_of_turn_is_an_error) {
  auto scope = taskio::timeout(1s);
  auto check = [&](const std::string& phrase) {
    try {
      scope.reschedule(std::nullopt);
      BOOST_FAIL("expected std::runtime_error");
    } catch (const std::runtime_error& e) {
      BOOST_TEST(mentions(e.what(), phrase), e.what());
    }
  };
  check("Timeout has not been entered");
  co_await taskio::async_with(scope, [&](timeout_scope&) -> asio::awaitable<void> {
    try {
      co_await taskio::sleep(1h);
    } catch (const cancelled_error&) {
    }
    check("Cannot change state of expiring Timeout");
  });
  check("Cannot change state of expired Timeout");
  auto finished = taskio::timeout(1s);
  co_await taskio::async_with(finished, [](timeout_scope&) -> asio::awaitable<void> { co_return; });
  try {
    finished.reschedule(std::nullopt);
    BOOST_FAIL("expected std::runtime_error");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(mentions(e.what(), "Cannot change state of finished Timeout"));
  }
}

TASKIO_TEST_CASE(exit_out_of_turn_is_an_error) {
  auto scope = taskio::timeout(1s);
  auto e = co_await catch_exception(scope.aexit(nullptr));
  BOOST_TEST(mentions(what_of(e), "Timeout has not been entered"));
  co_await taskio::async_with(scope, [](timeout_scope&) -> asio::awaitable<void> { co_return; });
  e = co_await catch_exception(scope.aexit(nullptr));
  BOOST_TEST(mentions(what_of(e), "Cannot change state of finished Timeout"));
}

BOOST_AUTO_TEST_CASE(entering_outside_a_task_is_an_error) {
  // A coroutine spawned from a plain loop callback runs outside any task.
  taskio::runner r({.virtual_time = true, .handle_signals = false});
  auto ex = r.get_executor();
  r.run([](auto ex) -> asio::awaitable<void> {
    timeout_scope scope = taskio::timeout(1s);
    std::exception_ptr err;
    taskio::call_soon([&] { asio::co_spawn(ex, scope.aenter(), [&](std::exception_ptr e) { err = e; }); });
    co_await taskio::sleep(1s);
    BOOST_REQUIRE(err);
    BOOST_TEST(mentions(what_of(err), "Timeout should be used inside a task"));
    BOOST_TEST(scope.repr() == "<Timeout [created]>");  // still usable
    auto e = co_await run_scope(scope, sleeper(1h));
    BOOST_TEST(is_timeout(e));
  }(ex));
}

TASKIO_TEST_CASE(reschedule_moves_the_deadline) {
  auto scope = taskio::timeout(1s);
  auto e = co_await run_scope(scope, [](timeout_scope& cm) -> asio::awaitable<void> {
    cm.reschedule(taskio::loop_time() + 5s);  // later
    BOOST_TEST(cm.when() == taskio::clock::time_point(5s));
    co_await taskio::sleep(2s);  // the old deadline (1 s) does not fire
    cm.reschedule(taskio::loop_time() + 1s);  // earlier than 5 s
    co_await taskio::sleep(1h);
  });
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 3s);
}

TASKIO_TEST_CASE(reschedule_to_none_disarms) {
  auto scope = taskio::timeout(1s);
  co_await taskio::async_with(scope, [](timeout_scope& cm) -> asio::awaitable<void> {
    cm.reschedule(std::nullopt);
    co_await taskio::sleep(10h);
  });
  BOOST_TEST(vt() == 10h);
  BOOST_TEST(!scope.expired());
  BOOST_TEST(!scope.when());
}

TASKIO_TEST_CASE(reschedule_into_the_past_fires_in_the_next_iteration) {
  trace tr;
  co_await taskio::sleep(2s);
  auto e = co_await catch_exception(
      taskio::async_with(taskio::timeout(1h), [&](timeout_scope& cm) -> asio::awaitable<void> {
        taskio::call_soon([&] { tr(cm.expired() ? "before:expired" : "before:active"); });
        cm.reschedule(taskio::loop_time() - 1s);
        taskio::call_soon([&] { tr(cm.expired() ? "after:expired" : "after:active"); });
        try {
          co_await taskio::sleep(1h);
        } catch (const cancelled_error&) {
          tr("cancelled");
          throw;
        }
      }));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 2s);
  // the handler was call_soon'ed: it ran between the two callbacks
  BOOST_TEST(tr.str() == "before:active after:expired cancelled");
}

TASKIO_TEST_CASE(reschedule_to_now_fires_in_the_next_iteration) {
  co_await taskio::sleep(1s);
  auto e = co_await catch_exception(taskio::async_with(taskio::timeout(1h), [](timeout_scope& cm) -> asio::awaitable<void> {
    cm.reschedule(taskio::loop_time());
    co_await taskio::sleep(1h);
  }));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(reschedule_from_another_task) {
  auto scope = taskio::timeout(std::nullopt);
  auto helper = taskio::create_task([](timeout_scope& s) -> asio::awaitable<void> {
    co_await taskio::sleep(1s);
    s.reschedule(taskio::loop_time() + 2s);
  }(scope));
  auto e = co_await run_scope(scope, sleeper(1h));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 3s);
  BOOST_TEST(helper.done());
  BOOST_TEST(helper.cancelling() == 0);
}

TASKIO_TEST_CASE(deadline_fires_at_most_once) {
  auto scope = taskio::timeout(1s);
  co_await taskio::async_with(scope, [](timeout_scope&) -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      try {
        co_await taskio::sleep(1s);
      } catch (const cancelled_error&) {
      }
    }
    BOOST_TEST(taskio::current_task().cancelling() == 1);
  });
  BOOST_TEST(vt() == 3s);  // 1 s cancelled at the deadline, then two full seconds
  BOOST_TEST(taskio::current_task().cancelling() == 0);
}

TASKIO_TEST_CASE(exit_never_suppresses_and_converts_only_cancellations) {
  auto scope = taskio::timeout(1s);
  auto e = co_await run_scope(scope, [](timeout_scope&) -> asio::awaitable<void> {
    throw std::domain_error("body failed");
    co_return;
  });
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::domain_error);
  BOOST_TEST(!scope.expired());
  // the deadline is disarmed: nothing cancels the task later
  co_await taskio::sleep(2s);
  BOOST_TEST(taskio::current_task().cancelling() == 0);
}

TASKIO_TEST_CASE(shorthand_awaits_inline_with_a_deadline) {
  auto self = taskio::current_task();
  int v = co_await taskio::timeout(2s, [](taskio::task_ref self) -> asio::awaitable<int> {
    BOOST_TEST(taskio::current_task() == self);  // no new task
    co_await taskio::sleep(1s);
    co_return 3;
  }(self));
  BOOST_TEST(v == 3);
  auto e = co_await catch_exception(taskio::timeout(2s, taskio::sleep(1h)));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 3s);
  BOOST_TEST(self.cancelling() == 0);
}

TASKIO_TEST_CASE(shorthand_computes_the_deadline_at_the_call) {
  auto aw = taskio::timeout(1s, value_after(1h, 1));
  co_await taskio::sleep(500ms);
  auto e = co_await catch_exception(std::move(aw));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(a_scope_moves_only_before_entry) {
  auto a = taskio::timeout(1s);
  timeout_scope b = std::move(a);
  BOOST_TEST(b.when() == taskio::clock::time_point(1s));
  co_await taskio::async_with(b, [](timeout_scope& cm) -> asio::awaitable<void> {
    BOOST_CHECK_THROW(timeout_scope moved(std::move(cm)), std::logic_error);
    timeout_scope other(std::nullopt);
    BOOST_CHECK_THROW(other = std::move(cm), std::logic_error);
    co_return;
  });
}

TASKIO_TEST_CASE(destroying_an_entered_scope_disarms_it) {
  {
    auto scope = taskio::timeout(1s);
    co_await scope.aenter();
  }  // never exited
  co_await taskio::sleep(2s);
  BOOST_TEST(taskio::current_task().cancelling() == 0);
  BOOST_TEST(vt() == 2s);
}

BOOST_AUTO_TEST_SUITE_END()
