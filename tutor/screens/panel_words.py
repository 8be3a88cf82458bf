"""The words the lesson's panels write, per language (merged into ``tutor.screens.WORDS``).

Kept apart from the screens' words because there are many. The English
texts are the ones the panels have always shown; where the engine layer
owns a sentence (why a step missed the cache, why a row is ``<missing>``,
why no engine answers), the English entry *is* the engine's constant, so
the two can never drift apart, and the Portuguese one says the same.

Docker's own words stay as the course's Portuguese lessons write them:
layer, container, build, cache, push, registry, tag, digest, CACHED/BUILT,
Docker's output (``Step 1/4 : ...``) and column names (``IMAGE``,
``CREATED BY``...); "image" is "imagem" and the read-write layer is the
"layer gravável", as in lessons 3 and 7.
"""

from __future__ import annotations

from tutor.engine import cache_miss, errors, missing_rows

PANEL_WORDS: dict[str, dict[str, str]] = {
    "en": {
        # Layers panel (and the bands it is drawn with).
        "layers.empty": "No image yet: build one to see its layers.",
        "layers.summary": (
            "{image}: {count} layers ({files} filesystem, {meta} metadata only), {size}"
        ),
        "layers.order": "Newest on top, base at the bottom.",
        "layers.only_in": "only in {image} ({count} layers)",
        "layers.shared": "shared by {images} ({count} layers, stored once)",
        "layers.nothing_shared": "nothing shared: {images} have no base layers in common",
        "layers.and": "and",
        "layers.saved": "Stored: {stored}; without sharing: {without}; saved: {saved}.",
        "layers.detail": "▶ layer {index} of {where}: {instruction}",
        "layers.of_image": "{image}",
        "layers.shared_base": "the shared base",
        "band.filesystem": "filesystem, read-only",
        "band.metadata": "metadata only",
        "band.labels": "the tutor's labels",
        "band.read_write": "read-write",
        "band.container": "container {name}: its own layer",
        # Build panel.
        "build.none": "No build yet.",
        "build.labels": "  ← the tutor's labels (how its clean-up finds the image)",
        "build.step_time": " step {number} in {seconds}s",
        "build.miss": "cache miss: {reason}",
        "build.error": "ERROR {message}",
        "build.built": "Built {tag} ({image_id})",
        "build.counts": "{cached} CACHED, {built} BUILT",
        "build.status.failed": "✗ Build FAILED at {where} ({counts})",
        "build.status.done": "✓ Built {tag}: {counts}",
        "build.status.running": "Building… {done}/{total} steps done ({counts})",
        "build.where.start": "the start",
        "build.where.step": "step {number}/{total}",
        "build.failure": "Build failed at ",
        "build.engine_said": "The engine said:",
        "build.following": "Following the build output",
        "build.scrolling": "Scrolling freely",
        "miss.earlier": cache_miss.EARLIER_STEP_REBUILT,
        "miss.instruction": cache_miss.INSTRUCTION_CHANGED,
        "miss.file": cache_miss.FILE_CHANGED,
        "miss.build_arg": cache_miss.BUILD_ARG_CHANGED,
        "miss.base": cache_miss.BASE_CHANGED,
        # Diff panel.
        "diff.none": "No container yet.",
        "diff.legend": "A added · C changed · D deleted",
        "diff.new": " · ▲ {count} new since last look",
        "diff.summary": "{name}: {count} changes ({parts}), read-write layer {size}",
        "diff.placeholder": "Command to run inside the container, e.g. touch /hello",
        "diff.exit": "$ {command}  (exit {code})",
        "diff.start_first": "Start a container first.",
        "diff.nothing_new": "Nothing new since the last look.",
        "diff.from.new": "new in the container",
        "diff.from.none": "not from any image layer",
        "diff.from.layer": "from layer {index}: {instruction}",
        # Containers panel.
        "containers.col.name": "Name",
        "containers.col.image": "Image",
        "containers.col.status": "Status",
        "containers.col.ports": "Ports",
        "containers.no_ports": "none",
        "containers.empty": "No containers yet: a lesson step will start one.",
        "containers.page": "Page from {name}",
        "containers.logs": "Logs of {name}",
        "containers.no_output": "(no output yet)",
        "containers.none_selected": "No container selected.",
        # History panel.
        "history.none": "No image yet.",
        "history.title": (
            "{image}: {rows} history rows, {files} filesystem layers, {meta} metadata only"
        ),
        "history.title.missing": ", {count} <missing>",
        "history.title.containerd": " (containerd image store)",
        "history.kind.filesystem": "filesystem",
        "history.kind.empty": "empty layer",
        "history.kind.metadata": "metadata only",
        "history.explain.layer": "Layer {index}: {instruction}",
        "history.explain.missing": "<missing>: {reason}",
        "history.explain.unknown": "no local image records this step.",
        "history.explain.metadata": (
            "0 B, metadata only: this step changed the image's settings, not its files."
        ),
        "history.explain.empty": (
            "0 B, but a real (empty) filesystem layer: it counts in the image's layers."
        ),
        "history.explain.comment": "Comment: {comment}",
        "missing.parent_removed": missing_rows.MISSING_PARENT_REMOVED,
        "missing.pulled": missing_rows.MISSING_PULLED,
        "missing.buildkit": missing_rows.MISSING_BUILDKIT,
        "missing.containerd": missing_rows.MISSING_CONTAINERD,
        "missing.elsewhere": missing_rows.MISSING_ELSEWHERE,
        "missing.this_image": missing_rows.THIS_IMAGE,
        "missing.its_base_image": missing_rows.ITS_BASE_IMAGE,
        # Files panel.
        "files.none": "No files in this lesson.",
        "files.step": "Step {number} ({lines}): {instruction}",
        "files.line": "line {line}",
        "files.lines": "lines {first}-{last}",
        "files.where": "{file} line {line}",
        "files.where_step": "{file} line {line}: step {number} of {total}, {instruction}",
        # Push panel.
        "push.title": "Pushing {reference}",
        "push.none": "No push yet.",
        "push.col.layer": "LAYER",
        "push.col.progress": "PROGRESS",
        "push.col.status": "STATUS",
        "push.status.preparing": "preparing",
        "push.status.waiting": "waiting",
        "push.status.pushing": "pushing",
        "push.status.pushed": "pushed",
        "push.status.exists": "already exists",
        "push.status.mounted": "mounted",
        "push.status.retrying": "retrying",
        "push.mounted_from": "mounted from {source}",
        "push.sending": "pushing {current}",
        "push.sending_of": "pushing {current} / {total}",
        "push.summary": (
            "{count} layers: {pushed} pushed, {exists} already existed, "
            "{mounted} mounted from another repository"
        ),
        "push.sent": "; about {size} sent",
        "push.failed": "✗ Push FAILED: {message}",
        "push.done": "✓ Pushed {reference}",
        # The engine banner's explanations of the two connection errors.
        "engine.unreachable": errors.UNREACHABLE,
        "engine.unreachable.hint": errors.UNREACHABLE_HINT,
        "engine.denied": errors.DENIED,
        "engine.denied.hint": errors.DENIED_HINT,
    },
    "pt-BR": {
        "layers.empty": "Nenhuma imagem ainda: faça o build de uma para ver as layers dela.",
        "layers.summary": (
            "{image}: {count} layers ({files} com arquivos, {meta} só metadados), {size}"
        ),
        "layers.order": "A mais nova no topo, a base embaixo.",
        "layers.only_in": "só em {image} ({count} layers)",
        "layers.shared": "compartilhadas por {images} ({count} layers, guardadas uma vez só)",
        "layers.nothing_shared": "nada compartilhado: {images} não têm layers de base em comum",
        "layers.and": "e",
        "layers.saved": "Guardado: {stored}; sem compartilhar: {without}; economia: {saved}.",
        # {where} brings its own "de": "de a base" is said "da base".
        "layers.detail": "▶ layer {index} {where}: {instruction}",
        "layers.of_image": "de {image}",
        "layers.shared_base": "da base compartilhada",
        "band.filesystem": "arquivos, só leitura",
        "band.metadata": "só metadados",
        "band.labels": "labels do tutor",
        "band.read_write": "gravável",
        "band.container": "layer do container {name}",
        "build.none": "Nenhum build ainda.",
        "build.labels": "  ← labels do tutor (é por elas que a limpeza acha a imagem)",
        "build.step_time": " passo {number} em {seconds}s",
        "build.miss": "sem cache: {reason}",
        "build.error": "ERRO {message}",
        "build.built": "Imagem {tag} pronta ({image_id})",
        "build.counts": "{cached} CACHED, {built} BUILT",
        "build.status.failed": "✗ O build FALHOU {where} ({counts})",
        "build.status.done": "✓ Build de {tag} pronto: {counts}",
        "build.status.running": "Build em andamento… {done}/{total} passos prontos ({counts})",
        # {where} brings its own "em": "em o início" is said "no início".
        "build.where.start": "no início",
        "build.where.step": "no passo {number}/{total}",
        "build.failure": "O build falhou ",
        "build.engine_said": "O Docker Engine disse:",
        "build.following": "Acompanhando a saída do build",
        "build.scrolling": "Rolagem livre",
        "miss.earlier": (
            "um passo anterior foi refeito, então todos os seguintes são refeitos também"
        ),
        "miss.instruction": "a instrução mudou",
        "miss.file": "um arquivo copiado por COPY/ADD mudou",
        "miss.build_arg": "um argumento de build (ARG) tem um valor novo",
        "miss.base": "a imagem base (FROM) não é a que o último build usou",
        "diff.none": "Nenhum container ainda.",
        "diff.legend": "A acrescentado · C mudado · D apagado",
        # Counts come last where a Portuguese word would have to agree with them.
        "diff.new": " · ▲ novos desde a última olhada: {count}",
        "diff.summary": "{name}: {count} mudanças ({parts}), layer gravável {size}",
        "diff.placeholder": "Comando para rodar dentro do container, p. ex. touch /hello",
        "diff.exit": "$ {command}  (código de saída {code})",
        "diff.start_first": "Inicie um container primeiro.",
        "diff.nothing_new": "Nada novo desde a última olhada.",
        "diff.from.new": "novo no container",
        "diff.from.none": "não vem de nenhuma layer da imagem",
        "diff.from.layer": "da layer {index}: {instruction}",
        "containers.col.name": "Nome",
        "containers.col.image": "Imagem",
        "containers.col.status": "Situação",
        "containers.col.ports": "Portas",
        "containers.no_ports": "nenhuma",
        "containers.empty": "Nenhum container ainda: um passo da lição vai iniciar um.",
        "containers.page": "Página de {name}",
        "containers.logs": "Logs de {name}",
        "containers.no_output": "(nenhuma saída ainda)",
        "containers.none_selected": "Nenhum container selecionado.",
        "history.none": "Nenhuma imagem ainda.",
        "history.title": (
            "{image}: {rows} linhas no histórico, {files} layers com arquivos, {meta} só metadados"
        ),
        "history.title.missing": ", {count} <missing>",
        "history.title.containerd": " (image store do containerd)",
        "history.kind.filesystem": "com arquivos",
        "history.kind.empty": "layer vazia",
        "history.kind.metadata": "só metadados",
        "history.explain.layer": "Layer {index}: {instruction}",
        "history.explain.missing": "<missing>: {reason}",
        "history.explain.unknown": "nenhuma imagem local registra este passo.",
        "history.explain.metadata": (
            "0 B, só metadados: este passo mudou a configuração da imagem, não os arquivos dela."
        ),
        "history.explain.empty": (
            "0 B, mas uma layer de arquivos de verdade (vazia): ela conta entre as layers "
            "da imagem."
        ),
        "history.explain.comment": "Comentário: {comment}",
        "missing.parent_removed": "a imagem que este passo criou foi removida deste Docker",
        # {name} is the subject here: "de esta imagem" would have to become "desta imagem".
        "missing.pulled": (
            "{name}, que contém este passo, veio de um registry por pull: um pull traz as "
            "layers e o histórico delas, não uma imagem para cada passo"
        ),
        "missing.buildkit": (
            "{name}, que contém este passo, foi construída com o BuildKit, que registra cada "
            "passo no histórico mas guarda só a imagem pronta"
        ),
        "missing.containerd": (
            "para {name}, o image store do containerd não guarda uma imagem separada para "
            "cada passo"
        ),
        "missing.elsewhere": (
            "{name}, que contém este passo, chegou pronta a este Docker (docker load, ou "
            "build em outra máquina): aqui não há uma imagem para cada passo dela"
        ),
        "missing.this_image": "esta imagem",
        "missing.its_base_image": "a imagem base dela",
        "files.none": "Nenhum arquivo nesta lição.",
        "files.step": "Passo {number} ({lines}): {instruction}",
        "files.line": "linha {line}",
        "files.lines": "linhas {first}-{last}",
        "files.where": "{file} linha {line}",
        "files.where_step": "{file} linha {line}: passo {number} de {total}, {instruction}",
        "push.title": "Push de {reference}",
        "push.none": "Nenhum push ainda.",
        "push.col.layer": "LAYER",
        "push.col.progress": "PROGRESSO",
        "push.col.status": "SITUAÇÃO",
        "push.status.preparing": "preparando",
        "push.status.waiting": "esperando",
        "push.status.pushing": "enviando",
        "push.status.pushed": "enviada",
        "push.status.exists": "já existe",
        "push.status.mounted": "ligada",
        "push.status.retrying": "tentando de novo",
        "push.mounted_from": "ligada de {source}",
        "push.sending": "enviando {current}",
        "push.sending_of": "enviando {current} / {total}",
        "push.summary": (
            "{count} layers — enviadas: {pushed}, já existiam: {exists}, "
            "ligadas de outro repositório: {mounted}"
        ),
        "push.sent": "; cerca de {size} enviados",
        "push.failed": "✗ O push FALHOU: {message}",
        "push.done": "✓ Push de {reference} feito",
        "engine.unreachable": "Nenhum Docker Engine responde em {host}.",
        "engine.unreachable.hint": (
            "Inicie o Docker (Docker Desktop, ou `sudo systemctl start docker`) e tente de "
            "novo. Confira o DOCKER_HOST se você usa um Docker Engine remoto."
        ),
        "engine.denied": "Você não tem permissão para usar o Docker Engine em {host}.",
        "engine.denied.hint": (
            "Entre no grupo docker (`sudo usermod -aG docker $USER` e depois entre de novo "
            "na sessão) ou peça acesso ao professor."
        ),
    },
}
