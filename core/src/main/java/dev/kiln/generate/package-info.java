/** The one generation request schema (and its JSON codec) shared by the engine, the page, Node and the CLI. */
package dev.kiln.generate;
