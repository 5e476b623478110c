// Unit tests of <taskio/future.hpp> (asyncio.Future, doc/semantics.md 2, Future).
#include <taskio/future.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

using namespace taskio_test;

BOOST_AUTO_TEST_SUITE(future)

TASKIO_TEST_CASE(pending_then_finished) {
  taskio::future<int> f;
  BOOST_TEST(!f.done());
  BOOST_TEST(!f.cancelled());
  BOOST_CHECK_THROW(f.result(), taskio::invalid_state_error);
  BOOST_CHECK_THROW(f.exception(), taskio::invalid_state_error);
  f.set_result(3);
  BOOST_TEST(f.done());
  BOOST_TEST(f.result() == 3);
  BOOST_TEST(!f.exception());
  co_return;
}

TASKIO_TEST_CASE(setting_a_done_future_is_an_invalid_state) {
  taskio::future<int> f;
  f.set_result(1);
  try {
    f.set_result(2);
    BOOST_FAIL("second set_result must throw");
  } catch (const taskio::invalid_state_error& e) {
    BOOST_TEST(std::string(e.what()).find("already done") != std::string::npos);
  }
  BOOST_CHECK_THROW(f.set_exception(std::make_exception_ptr(std::runtime_error("x"))), taskio::invalid_state_error);
  BOOST_CHECK_THROW(f.set_exception(nullptr), std::invalid_argument);
  BOOST_TEST(!f.cancel());
  BOOST_TEST(f.result() == 1);
  co_return;
}

TASKIO_TEST_CASE(exception_is_stored_and_rethrown) {
  taskio::future<void> f;
  f.set_exception(std::make_exception_ptr(std::runtime_error("bad")));
  BOOST_CHECK_THROW(f.result(), std::runtime_error);
  BOOST_TEST(f.exception() != nullptr);
  co_return;
}

TASKIO_TEST_CASE(cancel_stores_the_message) {
  taskio::future<int> f;
  BOOST_TEST(f.cancel("why"));
  BOOST_TEST(f.cancelled());
  BOOST_TEST(f.done());
  BOOST_TEST(!f.cancel("again"));
  try {
    f.result();
  } catch (const taskio::cancelled_error& e) {
    BOOST_TEST(e.message() == "why");
  }
  BOOST_CHECK_THROW(f.exception(), taskio::cancelled_error);
  BOOST_CHECK_THROW(f.set_result(1), taskio::invalid_state_error);
  co_return;
}

TASKIO_TEST_CASE(awaiters_wake_in_order_one_iteration_after_completion) {
  taskio::future<int> f;
  trace tr;
  auto waiter = [](taskio::future<int> f, trace& tr, std::string name) -> asio::awaitable<void> {
    int v = co_await f.async_wait();
    tr(name + std::to_string(v));
  };
  taskio::create_task(waiter(f, tr, "a"));
  taskio::create_task(waiter(f, tr, "b"));
  co_await taskio::sleep(0s);
  f.set_result(1);
  tr("set");
  co_await taskio::sleep(0s);
  co_await taskio::sleep(0s);
  BOOST_TEST(tr.str() == "set a1 b1");
}

TASKIO_TEST_CASE(cancelling_the_awaiter_cancels_the_future) {
  taskio::future<int> f;
  auto t = taskio::create_task([](taskio::future<int> f) -> asio::awaitable<int> {
    co_return co_await f.async_wait();
  }(f));
  co_await taskio::sleep(0s);
  t.cancel("stop");
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(f.cancelled());
  BOOST_TEST(cancel_message(e) == "stop");
}

TASKIO_TEST_CASE(done_callbacks_get_the_future) {
  taskio::future<std::string> f;
  std::string seen;
  f.add_done_callback([&](const taskio::future<std::string>& d) { seen = d.result(); });
  auto id = f.add_done_callback([&](const taskio::future<std::string>&) { seen = "removed"; });
  BOOST_TEST(f.remove_done_callback(id) == 1u);
  f.set_result("value");
  BOOST_TEST(seen.empty());  // scheduled, not called synchronously
  co_await taskio::sleep(0s);
  BOOST_TEST(seen == "value");
  BOOST_TEST(f.remove_done_callback(id) == 0u);
}

TASKIO_TEST_CASE(bridges_a_callback_api) {
  auto ex = co_await asio::this_coro::executor;
  taskio::future<int> f(ex);
  asio::steady_timer timer(ex, 1ms);
  timer.async_wait([f](const boost::system::error_code&) { f.set_result(99); });
  BOOST_TEST(co_await f.async_wait() == 99);
}

BOOST_AUTO_TEST_CASE(a_future_needs_a_loop) {
  BOOST_CHECK_THROW(taskio::future<int>(), std::runtime_error);
  asio::io_context io;
  taskio::future<int> f(io.get_executor());
  f.set_result(1);
  BOOST_TEST(f.result() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
