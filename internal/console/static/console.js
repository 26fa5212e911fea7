// The console works without this file; it only adds conveniences.
"use strict";
