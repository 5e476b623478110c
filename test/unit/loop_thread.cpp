// Unit tests of <taskio/loop_thread.hpp>: a taskio loop on a thread of its
// own, awaited from the test's loop. Real threads: ordering only, no
// wall-clock bound (run under ThreadSanitizer in CI).
#include <taskio/loop_thread.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <atomic>
#include <memory>
#include <thread>

using namespace taskio_test;
using tcp = asio::ip::tcp;

namespace {

/// What main saw on its loop, read by the test after run() returned.
struct seen {
  std::atomic<std::thread::id> thread;
  std::atomic<bool> caught_cancel{false};
  std::atomic<bool> background_cancelled{false};
  std::string cancel_message;  // written before the loop stops, read after
  std::string name;
};

asio::awaitable<int> answer(seen& s) {
  s.thread = std::this_thread::get_id();
  s.name = taskio::current_task().get_name();
  co_await taskio::sleep(1ms);
  co_return 42;
}

asio::awaitable<std::unique_ptr<int>> boxed(int v) {
  co_await taskio::yield_now();
  co_return std::make_unique<int>(v);
}

asio::awaitable<void> failing() {
  co_await taskio::yield_now();
  throw std::runtime_error("boom on the other loop");
}

asio::awaitable<void> background(seen& s) {
  try {
    co_await taskio::sleep(1000h);
  } catch (const taskio::cancelled_error&) {
    s.background_cancelled = true;
    throw;
  }
}

/// Tells `started` (a future of the awaiting loop) that it runs, then waits
/// to be cancelled; handles the cancellation after one more step and returns.
asio::awaitable<int> cancellable(seen& s, taskio::future<void> started, asio::any_io_executor awaiting) {
  taskio::create_task(background(s));  // left to runner::close
  taskio::call_soon_threadsafe(awaiting, [started] { started.set_result(); });
  try {
    co_await taskio::sleep(1000h);
  } catch (const taskio::cancelled_error& e) {
    s.cancel_message = e.message();
  }
  co_await taskio::yield_now();  // the loop keeps running after the cancellation
  s.caught_cancel = true;
  co_return 7;  // handled: the awaiter's cancellation propagates anyway
}

asio::awaitable<void> never_finishes() {
  taskio::future<void> never;  // nothing on this loop can set it
  co_await never.async_wait();
}

/// On the other loop: accepts one connection, waits on a plain Asio timer,
/// echoes one line, returns what it read.
asio::awaitable<std::string> echo_once(tcp::acceptor acceptor, asio::steady_timer timer, seen& s) {
  tcp::socket peer = co_await acceptor.async_accept(taskio::use_task);
  s.thread = std::this_thread::get_id();
  timer.expires_after(1ms);
  co_await timer.async_wait(taskio::use_task);
  std::string line(4, '\0');
  co_await asio::async_read(peer, asio::buffer(line), taskio::use_task);
  co_await asio::async_write(peer, asio::buffer(line), taskio::use_task);
  co_return line;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(loop_thread)

TASKIO_REAL_TIME_TEST_CASE(returns_main_s_value_from_main_s_own_thread) {
  seen s;
  taskio::loop_thread other;
  const int v = co_await other.run(answer(s), "answer");
  BOOST_TEST(v == 42);
  BOOST_TEST((s.thread.load() != std::thread::id()));
  BOOST_TEST((s.thread.load() != std::this_thread::get_id()));
  BOOST_TEST(s.name == "answer");
}

TASKIO_REAL_TIME_TEST_CASE(a_move_only_value_is_moved_out) {
  taskio::loop_thread other;
  std::unique_ptr<int> p = co_await other.run(boxed(5));
  BOOST_REQUIRE(p);
  BOOST_TEST(*p == 5);
}

TASKIO_REAL_TIME_TEST_CASE(main_s_exception_is_rethrown) {
  taskio::loop_thread other;
  const std::exception_ptr e = co_await catch_exception(other.run(failing()));
  BOOST_TEST(what_of(e) == "boom on the other loop");
}

TASKIO_REAL_TIME_TEST_CASE(cancelling_the_awaiter_cancels_main_and_waits_for_the_loop_to_stop) {
  seen s;
  taskio::loop_thread other;
  taskio::future<void> started;
  const asio::any_io_executor here = co_await asio::this_coro::executor;
  taskio::task<int> awaiter = taskio::create_task(other.run(cancellable(s, started, here)));
  co_await started.async_wait();
  awaiter.cancel("stop");
  const std::exception_ptr e = co_await catch_exception(awaiter.async_wait());
  BOOST_TEST(cancel_message(e) == "stop");  // propagates although main handled it
  BOOST_TEST(awaiter.cancelled());
  // All of this happened on the other loop before the awaiter resumed:
  BOOST_TEST(s.cancel_message == "stop");   // forwarded with its message
  BOOST_TEST(s.caught_cancel.load());       // main ran to its end
  BOOST_TEST(s.background_cancelled.load());  // runner::close ran
}

TASKIO_REAL_TIME_TEST_CASE(run_twice_is_an_error_naming_the_problem) {
  seen s;
  taskio::loop_thread other;
  BOOST_TEST(co_await other.run(answer(s)) == 42);
  const std::exception_ptr e = co_await catch_exception(other.run(answer(s)));
  BOOST_TEST(what_of(e) == "taskio::loop_thread::run: called twice (a loop_thread runs one main task)");
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::logic_error);
}

TASKIO_REAL_TIME_TEST_CASE(a_loop_that_cannot_finish_main_reports_its_deadlock) {
  taskio::loop_thread other;
  const std::exception_ptr e = co_await catch_exception(other.run(never_finishes()));
  BOOST_TEST(what_of(e).find("taskio: deadlock") == 0, what_of(e));
}

TASKIO_REAL_TIME_TEST_CASE(plain_asio_objects_made_with_get_executor_work_inside) {
  seen s;
  taskio::loop_thread other;
  tcp::acceptor acceptor(other.get_executor(), {asio::ip::address_v4::loopback(), 0});
  asio::steady_timer timer(other.get_executor());
  const tcp::endpoint address = acceptor.local_endpoint();
  taskio::task<std::string> server =
      taskio::create_task(other.run(echo_once(std::move(acceptor), std::move(timer), s), "server"));

  tcp::socket client(co_await asio::this_coro::executor);
  co_await client.async_connect(address, taskio::use_task);
  co_await asio::async_write(client, asio::buffer("ping", 4), taskio::use_task);
  std::string back(4, '\0');
  co_await asio::async_read(client, asio::buffer(back), taskio::use_task);
  BOOST_TEST(back == "ping");
  BOOST_TEST(co_await server.async_wait() == "ping");
  BOOST_TEST((s.thread.load() != std::this_thread::get_id()));
}

BOOST_AUTO_TEST_SUITE_END()
