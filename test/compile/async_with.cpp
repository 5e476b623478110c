// Header self-containment: <taskio/async_with.hpp> compiles alone (no PCH), twice.
#include <taskio/async_with.hpp>
#include <taskio/async_with.hpp>
