// Unit tests of <taskio/sleep.hpp> (doc/semantics.md 12, sleep) and the loop clock.
#include <taskio/sleep.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

// The suite lives in taskio_test: at global scope `sleep` is the C function.
namespace taskio_test {
BOOST_AUTO_TEST_SUITE(sleep)

TASKIO_TEST_CASE(virtual_time_is_exact) {
  BOOST_TEST(vt() == 0s);
  co_await taskio::sleep(1500ms);
  BOOST_TEST(vt() == 1500ms);
  co_await taskio::sleep(1h);
  BOOST_TEST(vt() == 1h + 1500ms);
}

TASKIO_TEST_CASE(sleep_returns_its_result) {
  std::string s = co_await taskio::sleep(1s, std::string("done"));
  BOOST_TEST(s == "done");
}

TASKIO_TEST_CASE(sleep_zero_yields_exactly_one_iteration) {
  trace tr;
  taskio::call_soon([&] { tr("soon1"); });
  taskio::call_soon([&] {
    tr("soon2");
    taskio::call_soon([&] { tr("next-iteration"); });
  });
  co_await taskio::sleep(0s);
  tr("resumed");
  co_await taskio::sleep(0s);
  BOOST_TEST(tr.str() == "soon1 soon2 resumed next-iteration");
  BOOST_TEST(vt() == 0s);
}

TASKIO_TEST_CASE(equal_deadlines_fire_in_creation_order) {
  trace tr;
  for (int i = 0; i < 5; ++i)
    taskio::create_task([](trace& tr, int i) -> asio::awaitable<void> {
      co_await taskio::sleep(1s);
      tr(std::to_string(i));
    }(tr, i));
  co_await taskio::sleep(2s);
  BOOST_TEST(tr.str() == "0 1 2 3 4");
}

TASKIO_TEST_CASE(timers_fire_in_deadline_order) {
  trace tr;
  for (int d : {3, 1, 2})
    taskio::create_task([](trace& tr, int d) -> asio::awaitable<void> {
      co_await taskio::sleep(std::chrono::seconds(d));
      tr(std::to_string(d) + "@" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(vt()).count()));
    }(tr, d));
  co_await taskio::sleep(5s);
  BOOST_TEST(tr.str() == "1@1 2@2 3@3");
}

TASKIO_TEST_CASE(a_negative_delay_is_a_bare_yield_and_nan_is_rejected) {
  trace tr;
  auto other = taskio::create_task([](trace& tr) -> asio::awaitable<void> {
    tr("other");
    co_return;
  }(tr));
  co_await taskio::sleep(-1s);  // as sleep(0): one loop iteration
  tr("after");
  BOOST_TEST(tr.str() == "other after");
  co_await taskio::sleep(std::chrono::duration<float, std::milli>(-3.5f));
  BOOST_TEST(co_await taskio::sleep(-5min, 7) == 7);
  BOOST_TEST(vt() == 0s);
  co_await taskio::sleep(std::chrono::duration<double>(0.25));
  BOOST_TEST(vt() == 250ms);
  BOOST_CHECK_THROW(co_await taskio::sleep(std::chrono::duration<double>(std::nan(""))), std::invalid_argument);
}

TASKIO_TEST_CASE(a_negative_delay_is_a_cancellation_point) {
  auto t = taskio::create_task([]() -> asio::awaitable<void> {
    for (;;) co_await taskio::sleep(-1ms);
  }());
  co_await taskio::sleep(0s);
  t.cancel("stop");
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(cancel_message(e) == "stop");
}

TASKIO_TEST_CASE(cancelled_sleep_removes_its_timer) {
  auto t = taskio::create_task([]() -> asio::awaitable<void> { co_await taskio::sleep(100h); }());
  co_await taskio::sleep(1s);
  t.cancel();
  co_await catch_exception(t.async_wait());
  // with the timer gone nothing is due any more: the next jump is ours
  co_await taskio::sleep(1s);
  BOOST_TEST(vt() == 2s);
  BOOST_TEST(t.cancelled());
}

TASKIO_TEST_CASE(sleep_until_and_yield_now) {
  co_await taskio::sleep_until(taskio::clock::time_point(5s));
  BOOST_TEST(vt() == 5s);
  co_await taskio::sleep_until(taskio::clock::time_point(1s));  // in the past: one yield
  BOOST_TEST(vt() == 5s);
  co_await taskio::yield_now();
}

TASKIO_TEST_CASE(advance_time_moves_the_clock_without_yielding) {
  trace tr;
  taskio::call_later(1s, [&] { tr("timer"); });
  taskio::advance_time(3s);  // the step was "busy" for 3 s
  tr("after advance");
  BOOST_TEST(vt() == 3s);
  co_await taskio::sleep(0s);  // our wake-up was queued before the timer became due
  tr("resumed");
  co_await taskio::sleep(0s);
  BOOST_TEST(tr.str() == "after advance resumed timer");
  BOOST_CHECK_THROW(taskio::advance_time(-1s), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(sleep_needs_a_running_loop) {
  BOOST_CHECK_THROW(taskio::sleep(1ms), std::runtime_error);  // checked at the call
  asio::io_context io;
  auto t = taskio::create_task(io, []() -> asio::awaitable<void> { co_await taskio::sleep(1ms); }());
  io.run();  // a user-run io_context is a loop too
  BOOST_TEST(t.done());
  BOOST_CHECK_THROW(taskio::loop_time(), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(real_time_sleep_waits_on_the_steady_clock) {
  run_real([]() -> asio::awaitable<void> {
    auto start = std::chrono::steady_clock::now();
    co_await taskio::sleep(20ms);
    BOOST_TEST((std::chrono::steady_clock::now() - start) >= 20ms);
    BOOST_CHECK_THROW(taskio::advance_time(1s), std::logic_error);
  }());
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace taskio_test
