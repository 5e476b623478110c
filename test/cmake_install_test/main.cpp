#include <taskio.hpp>
#include <boost/asio/awaitable.hpp>
boost::asio::awaitable<int> answer() { co_return 42; }
int main() { return taskio::run(answer()) == 42 ? 0 : 1; }
