// Header self-containment: <taskio/barrier.hpp> compiles alone (no PCH), twice.
#include <taskio/barrier.hpp>
#include <taskio/barrier.hpp>
