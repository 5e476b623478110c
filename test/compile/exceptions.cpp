// Header self-containment: <taskio/exceptions.hpp> compiles alone (no PCH), twice.
#include <taskio/exceptions.hpp>
#include <taskio/exceptions.hpp>
