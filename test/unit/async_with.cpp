// Unit tests of <taskio/async_with.hpp> with a user-written manager.
#include <taskio/async_with.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

using namespace taskio_test;

namespace {

/// A manager that records its calls and can suppress errors.
struct recorder {
  trace* tr;
  bool suppress = false;
  bool entered = false;
  asio::awaitable<void> aenter() {
    if (entered) throw std::runtime_error("recorder has already been entered");
    entered = true;
    co_await taskio::sleep(1s);
    (*tr)("enter");
  }
  asio::awaitable<bool> aexit(std::exception_ptr e) {
    (*tr)(e ? "exit:" + taskio::describe_exception(e) : std::string("exit:ok"));
    co_return suppress;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(async_with)

TASKIO_TEST_CASE(enters_runs_the_body_and_exits) {
  trace tr;
  recorder cm{&tr};
  int v = co_await taskio::async_with(cm, [&](recorder&) -> asio::awaitable<int> {
    tr("body");
    co_return 5;
  });
  BOOST_TEST(v == 5);
  BOOST_TEST(tr.str() == "enter body exit:ok");
  BOOST_TEST(cm.entered);  // the caller kept its manager
  BOOST_CHECK_THROW(co_await taskio::async_with(cm, [](recorder&) -> asio::awaitable<void> { co_return; }),
                    std::runtime_error);  // entering twice is the manager's error
}

TASKIO_TEST_CASE(exit_sees_the_body_s_exception) {
  trace tr;
  auto e = co_await catch_exception(taskio::async_with(recorder{&tr}, [](recorder&) -> asio::awaitable<void> {
    throw std::runtime_error("oops");
    co_return;
  }));
  BOOST_TEST(tr.str() == "enter exit:oops");
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::runtime_error);
}

TASKIO_TEST_CASE(exit_may_suppress) {
  trace tr;
  int v = co_await taskio::async_with(recorder{&tr, true}, [](recorder&) -> asio::awaitable<int> {
    throw std::runtime_error("ignored");
    co_return 1;
  });
  BOOST_TEST(v == 0);
  BOOST_TEST(tr.str() == "enter exit:ignored");
}

TASKIO_TEST_CASE(cancellation_reaches_the_body_and_the_exit_sees_it) {
  trace tr;
  auto t = taskio::create_task(taskio::async_with(recorder{&tr}, [](recorder&) -> asio::awaitable<void> {
    co_await taskio::sleep(10s);
  }));
  co_await taskio::sleep(2s);
  t.cancel("stop");
  co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
  BOOST_TEST(tr.str() == "enter exit:cancelled: stop");
}

BOOST_AUTO_TEST_SUITE_END()
