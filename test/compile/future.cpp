// Header self-containment: <taskio/future.hpp> compiles alone (no PCH), twice.
#include <taskio/future.hpp>
#include <taskio/future.hpp>
