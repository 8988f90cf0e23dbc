<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>ChatView</name>
    <message>
        <location filename="../widgets/chat_view.py" line="210"/>
        <source>Start a conversation: type a message below and press Ctrl+Enter.
Everything stays on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="224"/>
        <source>Conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="233"/>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="234"/>
        <source>Write a message… (Ctrl+Enter sends, Esc stops)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="238"/>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="240"/>
        <source>Send message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="241"/>
        <source>Send (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="243"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="245"/>
        <source>Stop reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="246"/>
        <source>Stop the reply; the text so far is kept (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CloudPanel</name>
    <message>
        <location filename="../widgets/cloud_panel.py" line="51"/>
        <source>Use the cloud model for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="53"/>
        <source>Use the cloud for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="61"/>
        <source>Cloud endpoint URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="62"/>
        <source>https://api.example.com/v1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="65"/>
        <source>Cloud model name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="68"/>
        <location filename="../widgets/cloud_panel.py" line="90"/>
        <source>API key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="70"/>
        <source>Leave empty to keep the stored key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="74"/>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="76"/>
        <source>Save cloud settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="78"/>
        <source>Not checked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="84"/>
        <source>What will be sent to the cloud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="88"/>
        <source>Endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="89"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="95"/>
        <source>Endpoint (any OpenAI-compatible server)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="99"/>
        <source>What will be sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="102"/>
        <source>Only the conversation&apos;s messages and the chosen tokens go out; your writing history and profile never do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="136"/>
        <source>Not set up: enter the endpoint and the model, then Save.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/cloud_panel.py" line="173"/>
        <source>Pick a conversation (or send a first message) to choose for it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <location filename="../widgets/conversation_list.py" line="46"/>
        <source>Search conversations (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="47"/>
        <source>Search conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="57"/>
        <source>Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="71"/>
        <source>New</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="73"/>
        <source>New conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="74"/>
        <source>Start a new chat (Ctrl+N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="76"/>
        <location filename="../widgets/conversation_list.py" line="195"/>
        <source>Rename</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="78"/>
        <source>Rename conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="79"/>
        <source>Rename the selected conversation (F2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="81"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="83"/>
        <source>Delete conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="196"/>
        <source>Settings of this conversation…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="197"/>
        <source>Export as Markdown…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="198"/>
        <source>Export as JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_list.py" line="200"/>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationSettingsDialog</name>
    <message>
        <location filename="../widgets/conversation_settings.py" line="38"/>
        <source>Instructions for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="40"/>
        <source>Empty: the app&apos;s system prompt. For example: answer in German, briefly.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="44"/>
        <source>Personalization for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="45"/>
        <source>The app&apos;s choice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="49"/>
        <source>These apply to this conversation only, and travel with it in an export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="53"/>
        <source>Instructions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/conversation_settings.py" line="54"/>
        <source>Personalization</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DraftPane</name>
    <message>
        <location filename="../widgets/draft_pane.py" line="49"/>
        <source>Draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="51"/>
        <source>Write here. Then ask for help with the buttons below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="63"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="65"/>
        <source>Stop writing the suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="73"/>
        <location filename="../widgets/draft_pane.py" line="111"/>
        <source>Suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="75"/>
        <source>The model&apos;s suggestion appears here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="77"/>
        <location filename="../widgets/draft_pane.py" line="79"/>
        <source>Use suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="81"/>
        <source>Discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="83"/>
        <source>Discard suggestion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="87"/>
        <location filename="../widgets/draft_pane.py" line="89"/>
        <source>Save as my writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="91"/>
        <source>Store this text in your writing history: your profile learns from it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="93"/>
        <location filename="../widgets/draft_pane.py" line="95"/>
        <source>New draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/draft_pane.py" line="265"/>
        <source>Not saved to your writing history yet.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HeadMap</name>
    <message>
        <location filename="../widgets/head_map.py" line="22"/>
        <source>Preference heads, layer by head</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <location filename="../widgets/history_panel.py" line="62"/>
        <source>Show samples from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="63"/>
        <source>All sources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="67"/>
        <source>Import files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="69"/>
        <source>Import text files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="70"/>
        <source>Import .txt or .md files (or drop them here)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="75"/>
        <source>Writing samples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="84"/>
        <source>Sample text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="85"/>
        <source>Pick a sample to read or edit it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="87"/>
        <source>Save changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="89"/>
        <source>Save changes to the sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="91"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="93"/>
        <source>Delete the sample</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/history_panel.py" line="116"/>
        <source>Drop .txt or .md files here to add them to your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LiveMeters</name>
    <message>
        <location filename="../widgets/meters.py" line="25"/>
        <source>Reply speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="28"/>
        <source>How full the model&apos;s context is</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/meters.py" line="66"/>
        <source>…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="56"/>
        <location filename="../main_window.py" line="57"/>
        <source>Voice Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="93"/>
        <source>Views</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="119"/>
        <location filename="../main_window.py" line="489"/>
        <source>Model: loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="142"/>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="143"/>
        <source>&amp;New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="147"/>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="152"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="156"/>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="157"/>
        <source>&amp;Find conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="161"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="162"/>
        <source>&amp;About</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="214"/>
        <source>Wait for the reply to finish first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="216"/>
        <source>Delete message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="216"/>
        <source>Delete this message?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="217"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="218"/>
        <source>Your own messages stay in your writing history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="518"/>
        <source>Model: not loaded yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MessageBubble</name>
    <message>
        <location filename="../widgets/chat_view.py" line="92"/>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="94"/>
        <source>Copy message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="98"/>
        <source>Regenerate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="100"/>
        <source>Regenerate reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="105"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/chat_view.py" line="107"/>
        <source>Delete message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PersonalizationPanel</name>
    <message>
        <location filename="../widgets/personalization_panel.py" line="54"/>
        <source>Personalization method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="58"/>
        <source>Personalization strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="61"/>
        <source>0.00</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="72"/>
        <location filename="../widgets/personalization_panel.py" line="74"/>
        <source>Build profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="76"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="78"/>
        <source>Cancel building the profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="82"/>
        <source>Profile build progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="89"/>
        <source>What was learned about your writing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="91"/>
        <source>After a build, a plain-words description of your writing appears here; you can edit it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="94"/>
        <location filename="../widgets/personalization_panel.py" line="96"/>
        <source>Save description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="102"/>
        <source>Preference heads (DPS), layer by head:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="106"/>
        <source>Method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="110"/>
        <source>Strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="111"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="116"/>
        <source>What was learned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="123"/>
        <source>Words and phrases most typical of you:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="126"/>
        <source>Fints: no reply yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="295"/>
        <source>Starting… (loading the models)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="308"/>
        <source>Cancelled; the previous profile is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="310"/>
        <source>The build failed; the previous profile is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/personalization_panel.py" line="312"/>
        <source>Profile built; chat now uses it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../widgets/settings_dialog.py" line="143"/>
        <location filename="../widgets/settings_dialog.py" line="144"/>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="159"/>
        <source>Model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="161"/>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="163"/>
        <source>Choose a model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="165"/>
        <location filename="../widgets/settings_dialog.py" line="167"/>
        <source>Use the embedded model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="171"/>
        <source>Models found on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="172"/>
        <source>Looking for models on this computer…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="175"/>
        <source>GGUF files of this app, LM Studio, GPT4All, Jan and the Hugging Face cache. A model is used where it is; nothing is copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="185"/>
        <location filename="../widgets/settings_dialog.py" line="215"/>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="190"/>
        <source>Where the personalization methods run. Chat runs in llama.cpp, which uses the GPU when it was built with GPU support.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="194"/>
        <location filename="../widgets/settings_dialog.py" line="216"/>
        <source>Threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="201"/>
        <location filename="../widgets/settings_dialog.py" line="217"/>
        <source>Data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="204"/>
        <source>Everything the app stores lives here. Start with --home DIR or set ASSISTANT_HOME to use another folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="212"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="213"/>
        <source>Found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="218"/>
        <source>Model and performance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="222"/>
        <source>Export everything…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="224"/>
        <source>Export all data to an archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="226"/>
        <source>Import…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="228"/>
        <source>Import an archive or a ChatGPT export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="230"/>
        <source>Reset profile…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="232"/>
        <source>Reset the profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="234"/>
        <source>Delete all my data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="236"/>
        <source>Delete all data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="240"/>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="245"/>
        <source>Your data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="302"/>
        <location filename="../widgets/settings_dialog.py" line="372"/>
        <source>Checking the model file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="309"/>
        <source>No other GGUF models found on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../widgets/settings_dialog.py" line="480"/>
        <source>Done.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
