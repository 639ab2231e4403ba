/**
 * Registers Tessera with JupyterLab's CodeMirror editors: notebooks on the
 * Tessera kernel find it by the kernel's language name (`tessera`, also its
 * `codemirror_mode`), .tsr files by their extension.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { LanguageSupport, StreamLanguage } from '@codemirror/language';

import { tessera } from './tessera';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'tessera-jupyterlab:language',
  description: 'Tessera syntax highlighting in CodeMirror.',
  autoStart: true,
  requires: [IEditorLanguageRegistry],
  activate: (_app: JupyterFrontEnd, languages: IEditorLanguageRegistry) => {
    languages.addLanguage({
      name: 'tessera',
      displayName: 'Tessera',
      mime: 'text/x-tessera',
      extensions: ['tsr'],
      load: async () => new LanguageSupport(StreamLanguage.define(tessera))
    });
  }
};

export default plugin;
