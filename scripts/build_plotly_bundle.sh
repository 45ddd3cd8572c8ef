#!/usr/bin/env bash
# Build the explorer's plotly.js bundle: plotly.js 4.1.1 with only the trace types the
# researcher app draws, minified, written to dashboard/public/static/plotly-explorer.min.js
# (with plotly.js's MIT licence beside it as plotly-explorer.LICENSE.txt).
#
# NOT run by `make test`, `make run` or `make serve`: the built file is committed, like
# plotly-basic.min.js. Run it by hand only to change the plotly.js version or the traces,
# then commit both files. Needs node and npm with access to the npm registry (the
# committed file was built with node 20.20.2, npm 11.19.1; plotly.js asks Node 22 of its
# own repo tooling, but esbuild does not need it); everything happens in a temporary
# directory that is removed afterwards.
#
#   scripts/build_plotly_bundle.sh                 # the traces below
#   TRACES=bar,scatter OUT_DIR=/tmp/x scripts/build_plotly_bundle.sh   # try another set
#
# The second bundle, for pages without the map, dashboard/public/static/plotly-charts.min.js,
# is the same build with TRACES=bar,scatter,table, copied under that name (its header
# still reads "explorer").
#
# Traces (keep in step with dashboard/figures, dashboard/present, dashboard/views.py):
#   bar         dashboard/figures/charts.py, dashboard/present/slides.py
#   scatter     dashboard/figures/charts.py, dashboard/present/slides.py (always included)
#   choropleth  dashboard/figures/geo.py (/participation map)
#   table       dashboard/present/slides.py (present-mode project tables)
# A trace type missing from the bundle draws nothing, and plotly.js logs no error (the
# present-mode tables were blank that way with the basic bundle), so
# tests/test_plotly_bundle.py checks this list against the code that makes figures.
#
# How: plotly.js documents custom bundles as `npm run custom-bundle -- --traces ...` in a
# git clone (tasks/custom_bundle.mjs), but its npm package has no tasks/ directory. This
# script does what that task does, on the npm package: it writes a partial index from
# lib/index.js (dropping the require()s of the other traces, keeping calendars), strips
# attribute meta (descriptions etc.) as tasks/compress_attributes.js does, bundles with
# the esbuild-config.js the package ships (minified), then adds the same licence header
# and UMD wrapper as the dist bundles. Check: TRACES=bar,pie (basic's traces) gives
# 1,190,335 bytes against 1,191,749 for the package's own dist/plotly-basic.min.js.
#
# The first line of each bundle is V8's compile hint `//# allFunctionsCalledOnLoad` (see
# build.cjs below); plotly-basic.min.js, the npm package's dist/plotly-basic.min.js, has
# the same line added by hand.
#
# Reproducible: plotly.js and the build tools are pinned, npm resolves plotly.js's own
# dependency ranges as of NPM_BEFORE (when the committed file was built) and the build
# directory is fixed, so reruns give the same bundle, byte for byte (only the year in
# the licence header follows the clock, as in plotly.js's own build).
set -euo pipefail

PLOTLY_VERSION=4.1.1
NPM_BEFORE=2026-11-24T00:00:00Z
ESBUILD_VERSION=0.28.1
ESBUILD_PLUGIN_ENVIRONMENT_VERSION=0.5.0
ESBUILD_PLUGIN_GLSL_VERSION=1.4.2
ESBUILD_PLUGIN_INLINE_CSS_VERSION=0.0.1
STREAM_BROWSERIFY_VERSION=3.0.0
TRACES=${TRACES:-bar,choropleth,scatter,table}
NAME=explorer

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=${OUT_DIR:-$ROOT/dashboard/public/static}
# A fixed path, not mktemp: esbuild-plugin-inline-css names the <style> it injects by the
# sha256 of the CSS file's absolute path, so the path is part of the output.
WORK=/tmp/plotly-explorer-build
rm -rf "$WORK" && mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
cat >package.json <<'EOF'
{"name": "plotly-explorer-bundle", "version": "0.0.0", "private": true}
EOF
npm install --no-audit --no-fund --ignore-scripts --loglevel=error --before="$NPM_BEFORE" \
    "plotly.js@$PLOTLY_VERSION" \
    "esbuild@$ESBUILD_VERSION" \
    "esbuild-plugin-environment@$ESBUILD_PLUGIN_ENVIRONMENT_VERSION" \
    "esbuild-plugin-glsl@$ESBUILD_PLUGIN_GLSL_VERSION" \
    "esbuild-plugin-inline-css@$ESBUILD_PLUGIN_INLINE_CSS_VERSION" \
    "stream-browserify@$STREAM_BROWSERIFY_VERSION"

cat >build.cjs <<'EOF'
// tasks/custom_bundle.mjs + partial_bundle.mjs + util/bundle_wrapper.mjs, on the npm package.
const fs = require('fs');
const path = require('path');
const { build } = require('esbuild');

const [name, traceArg, out] = process.argv.slice(2);
const pkgDir = path.dirname(require.resolve('plotly.js/package.json'));
const version = require('plotly.js/package.json').version;

// esbuild-config.js requires tasks/util/constants.js (not published) for its dev configs only.
fs.mkdirSync(path.join(pkgDir, 'tasks', 'util'), { recursive: true });
fs.writeFileSync(path.join(pkgDir, 'tasks', 'util', 'constants.js'),
    "module.exports = { pathToRoot: require('path').join(__dirname, '../../') };\n");
const { esbuildConfig } = require(path.join(pkgDir, 'esbuild-config.js'));

// The partial index: lib/index.js without the traces we do not want (scatter always stays).
const allTraces = fs.readdirSync(path.join(pkgDir, 'src', 'traces'))
    .filter((t) => t[0] !== t[0].toUpperCase());
const wanted = [...new Set(['scatter', ...traceArg.split(',').map((t) => t.trim())])].sort();
for (const t of wanted) {
    if (!allTraces.includes(t)) throw new Error(`${t} is not a plotly.js trace: ${allTraces}`);
}
let index = fs.readFileSync(path.join(pkgDir, 'lib', 'index.js'), 'utf-8');
for (const t of allTraces.filter((t) => !wanted.includes(t))) {
    const dropped = index.replace(new RegExp(`\\s*require\\('\\./${t}'\\),`, 'g'), '');
    if (dropped === index && t !== 'scatter') throw new Error(`no require for ${t} in lib/index.js`);
    index = dropped;
}
const entry = path.join(pkgDir, 'lib', `index-${name}.js`);
fs.writeFileSync(entry, index);

// tasks/compress_attributes.js: drop attribute meta the browser never reads.
const WS = '\\s*';
const re = (s) => new RegExp(WS + s + ',?', 'g');
const stripMeta = [
    re("description: '.*'"),
    re('description: \\[[\\s\\S]*?\\]\\.join\\([\\s\\S]*?\\)'),
    re('requiredOpts: \\[[\\s\\S]*?\\]'),
    re('otherOpts: \\[[\\s\\S]*?\\]'),
    re("role: '.*'"),
    re("hrName: '.*'"),
];
const stripMetaPlugin = {
    name: 'strip-meta-attributes',
    setup(b) {
        b.onLoad({ filter: /\.js$/ }, async (file) => {
            let c = await fs.promises.readFile(file.path, 'utf-8');
            for (const r of stripMeta) c = c.replace(r, '');
            return { contents: c, loader: 'js' };
        });
    },
};

(async () => {
    await build({
        ...esbuildConfig,
        absWorkingDir: pkgDir,
        entryPoints: [entry],
        outfile: out,
        minify: true,
        plugins: esbuildConfig.plugins.concat([stripMetaPlugin]),
        logLevel: 'warning',
    });
    const css = out.replace(/\.js$/, '.css');
    if (fs.existsSync(css)) fs.unlinkSync(css);
    const header = [
        // V8's explicit compile hint (Chrome 136+, ignored elsewhere): compile every
        // function while the file streams in, off the main thread. Without it the factory
        // and each module were compiled on the main thread when first called, one task of
        // 310-350 ms on the 2-core bench machine (Lighthouse's blocking time).
        '//# allFunctionsCalledOnLoad',
        '/**',
        `* plotly.js (${name} - minified) v${version}`,
        `* Traces: ${wanted.join(', ')}`,
        `* Copyright 2012-${new Date().getFullYear()}, Plotly, Inc.`,
        '* All rights reserved.',
        '* Licensed under the MIT license',
        '*/',
    ].join('\n');
    const umdOpen = [
        '(',
        ' function(root, factory) {',
        '  if (typeof module === "object" && module.exports) {',
        '   module.exports = factory();',
        '  } else {',
        '   root.moduleName = factory();',
        '  }',
        '} (typeof self !== "undefined" ? self : this, () => {',
        '',
    ].join('\n');
    const umdClose = ['', 'window.Plotly = Plotly;', 'return Plotly;', '}));'].join('\n');
    fs.writeFileSync(out, header + '\n' + umdOpen + fs.readFileSync(out, 'utf-8') + umdClose);
    console.log(`plotly.js ${version} (${name}): ${wanted.join(', ')} -> ${out}`);
})().catch((err) => {
    console.error(err);
    process.exit(1);
});
EOF

node build.cjs "$NAME" "$TRACES" "$WORK/plotly-$NAME.min.js"

mkdir -p "$DEST"
install -m 0644 "$WORK/plotly-$NAME.min.js" "$DEST/plotly-$NAME.min.js"
install -m 0644 "$WORK/node_modules/plotly.js/LICENSE" "$DEST/plotly-$NAME.LICENSE.txt"
echo "wrote $DEST/plotly-$NAME.min.js ($(wc -c <"$DEST/plotly-$NAME.min.js") bytes," \
    "$(gzip -9c "$DEST/plotly-$NAME.min.js" | wc -c) gzipped)"
